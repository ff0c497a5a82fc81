package io.jvmm.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class TomlLinesTest {
    private final TomlLines lines = TomlLines.of("""
            top = 1
            [vm]
              memory = "1G"
            "name" = "x"
            [[device]]
            path = "a"
            [[device]]   # second
            path = "b"
            [device.sub]
            path = "c"
            [ serial ]
            """);

    @Test
    void findsKeysWithinTheRightTable() {
        assertThat(lines.key("", "top")).isEqualTo(1);
        assertThat(lines.key("vm", "memory")).isEqualTo(3);
        assertThat(lines.key("vm", "name")).isEqualTo(4);
        assertThat(lines.arrayKey("device", 1, "path")).isEqualTo(6);
        assertThat(lines.arrayKey("device", 2, "path")).isEqualTo(8);
    }

    @Test
    void fallsBackToTheTableLineOrZero() {
        assertThat(lines.key("vm", "vcpus")).isEqualTo(2);
        assertThat(lines.arrayKey("device", 2, "type")).isEqualTo(7);
        assertThat(lines.key("boot", "kernel")).isZero();
        assertThat(lines.key("", "nothing")).isZero();
        assertThat(lines.table("serial")).isEqualTo(11);
        assertThat(lines.table("device")).isEqualTo(5);
    }

    @Test
    void namesTheKeyALineSets() {
        assertThat(lines.keyOn(1)).isEqualTo("top");
        assertThat(lines.keyOn(3)).isEqualTo("vm.memory");
        assertThat(lines.keyOn(8)).isEqualTo("device[2].path");
        assertThat(lines.keyOn(11)).isEqualTo("serial");
        assertThat(lines.keyOn(12)).isEmpty();
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void pathologicalHeaderAndKeyLinesAreMatchedInLinearTime() {
        // "[" and 4000 blanks took 36 s with the old header pattern (cubic); these are 15 times longer.
        long start = System.nanoTime();
        TomlLines hostile = TomlLines.of("[" + " ".repeat(60_000) + "\n[[" + " ".repeat(60_000) + "]\n"
                + " ".repeat(60_000) + "a".repeat(60_000) + "\n\"" + "x".repeat(60_000) + "\n");
        assertThat(hostile.table(" ")).isZero();
        assertThat((System.nanoTime() - start) / 1_000_000).as("milliseconds").isLessThan(2000);
    }
}
