package io.jvmm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Config texts made to hurt the parser (toml4j 0.7.2) or the readers after it: each is refused
 * with a file:line message, in bounded time and heap, before anything reaches toml4j that could
 * loop, recurse or copy without end ({@link TomlLimits}).
 */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileConfigTest {
    @TempDir
    Path tmp;
    ConfigFiles files;
    Path demo;

    @BeforeEach
    void setUp() throws Exception {
        files = new ConfigFiles(tmp);
        demo = tmp.resolve("demo.toml");
    }

    private List<String> errors(String text) {
        return files.errors(text);
    }

    @Test
    void aSignEndingTheTextInsideAnArrayIsASyntaxErrorNotAnEndlessLoop() {
        // 6 bytes: toml4j's number reader steps back before a sign that ends the text, and the
        // array reader reads it again, for ever, growing its error message until the heap is gone.
        for (String text : List.of("a = [-", "a = [+", "a=[[-")) {
            assertThat(errors(text)).singleElement().asString().startsWith(demo + ":1: invalid TOML:");
        }
    }

    @Test
    void deeplyNestedArraysAreRefusedBeforeTheParserRecurses() {
        assertThat(errors("a = " + "[".repeat(50_000)))
                .containsExactly(demo + ":1: invalid TOML: arrays or inline tables nested more than 8 deep");
        assertThat(errors("x = 1\na = [[[{b = [[[[[{c = 1}]]]]]}]]]\n"))
                .containsExactly(demo + ":2: invalid TOML: arrays or inline tables nested more than 8 deep");
    }

    @Test
    void shallowArraysStillParse() {
        // Arrays are no jvmm value, but they are TOML: the reader names them ("an array").
        for (String array : List.of("[1, -2, +3]", "[2.5, -3e2]", "[true, false]", "[1979-05-27T07:32:00Z]",
                "[[1], [2, 3]]", "[\"a\", 'b', \"\"\"c\"\"\"]", "[\n  1, # one\n  2,\n]", "[{a = 1}]")) {
            assertThat(errors("[boot]\nkernel = " + array + "\n")).as(array)
                    .containsExactly(demo + ":2: boot.kernel = an array: expected the path of a Linux kernel (bzImage or "
                            + "vmlinux) in quotes");
        }
    }

    @Test
    void aBadElementInAnArrayIsRefusedBeforeTheParserCopiesTheTextForEachCharacter() {
        // toml4j records, for each character of a bad element, an error holding the rest of the text.
        assertThat(errors("a = [" + "x".repeat(30_000) + "]\n"))
                .singleElement().asString().startsWith(demo + ":1: invalid TOML: \"xxxx").endsWith("...\" in an array "
                        + "is no string, number, boolean or date");
        assertThat(errors("a = [1,\n 2,\n truex]\n"))
                .containsExactly(demo + ":3: invalid TOML: \"truex\" in an array is no string, number, boolean or date");
    }

    @Test
    void aTableNameOfThousandsOfPartsIsRefusedBeforeTheParserRunsOutOfHeap() {
        assertThat(errors("[vm]\n[" + "a.".repeat(30_000) + "a]\n"))
                .containsExactly(demo + ":2: invalid TOML: a table name or key of 30001 dotted parts (at most 16)");
        assertThat(errors("a" + ".b".repeat(20) + " = 1\n")).singleElement().asString().contains("21 dotted parts");
    }

    @Test
    void aNulInAPathIsAConfigErrorNamingFileLineAndKey() {
        assertThat(errors("[vm]\nvcpus = 1\n[boot]\nkernel = \"guest/vm\0linuz\"\n")).containsExactly(
                demo + ":4: boot.kernel: control character U+0000 (only tab, newline and carriage return may appear "
                        + "in a config)");
        assertThat(errors(ConfigFiles.BOOT + "[[device]]\ntype = \"x\"\n[[device]]\npath = \"a\u0001\"\n")).containsExactly(
                demo + ":6: device[2].path: control character U+0001 (only tab, newline and carriage return may "
                        + "appear in a config)");
    }

    @Test
    void aNulMadeByAnEscapeIsRefusedToo() {
        assertThat(errors("[boot]\nkernel = \"guest/vm\\u0000linuz\"\n")).containsExactly(
                demo + ":2: boot.kernel: control character U+0000 in the value (an escape such as \\u0000 makes one; "
                        + "a config value cannot hold it)");
        assertThat(errors(ConfigFiles.BOOT + "[[device]]\ntype = \"blk\"\npath = \"a\\u001b\"\n")).containsExactly(
                demo + ":5: device[1].path: control character U+001B in the value (an escape such as \\u0000 makes "
                        + "one; a config value cannot hold it)");
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedBeforeItIsParsed() throws Exception {
        Path big = files.write("big.toml", ConfigFiles.BOOT + "#".repeat(TomlLimits.MAX_BYTES));
        assertThat(catchThrowable(() -> ConfigLoader.load(big))).isInstanceOf(ConfigException.class)
                .hasMessage(big + ": cannot read the config: it is more than 64 KiB, the most a config may be");
    }

    @Test
    void aSnapshotsConfigTextGoesThroughTheSameLimits() {
        // A snapshot stores the TOML text; restore reads it with load(path, text).
        String text = ConfigFiles.BOOT + "a = [" + "1,".repeat(TomlLimits.MAX_BYTES / 2) + "]\n";
        assertThat(catchThrowable(() -> ConfigLoader.load(demo, text))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(demo + ": cannot read the config: it is " + text.length() + " bytes");
        assertThat(catchThrowable(() -> ConfigLoader.load(demo, "a = [+"))).isInstanceOf(ConfigException.class);
        assertThat(catchThrowable(() -> ConfigLoader.load(demo, "[boot]\nkernel = \"a\0\"\n")))
                .hasMessageContaining(":2: boot.kernel: control character U+0000");
    }

    @Test
    void anEndlessFileIsReadNoFurtherThanTheLimit() {
        Path zero = Path.of("/dev/zero");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(zero));
        assertThat(catchThrowable(() -> ConfigLoader.load(zero))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("more than 64 KiB");
    }

    @Test
    void theWorstValidTextWithinTheLimitParsesInAboutASecond() throws Exception {
        // toml4j copies the rest of the text for every value it reads: quadratic, hence the limit.
        StringBuilder text = new StringBuilder("[vm]\n");
        for (int i = 0; text.length() < TomlLimits.MAX_BYTES - 16; i++) {
            text.append('k').append(i).append("=1\n");
        }
        long start = System.nanoTime();
        List<String> errors = errors(text.toString());
        assertThat(errors.get(0)).contains("vm.k0: unknown key");
        assertThat((System.nanoTime() - start) / 1_000_000).as("milliseconds").isLessThan(15_000);
    }
}
