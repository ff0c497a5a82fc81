package io.jvmm.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompilerThreadsTest {

    /**
     * This JVM's real compiler threads (the test JVM compiles) get the default nice value and
     * then their own back; the caller keeps its own throughout. Needs a process that may set a
     * nice value back down (root here, as in CI).
     */
    @Test
    void theCompilerThreadsAreLoweredAndSetBackAndTheCallerKeepsItsOwn() throws IOException {
        assertThat(CompilerThreads.maySetNice(0, Files.readString(Path.of("/proc/self/status")),
                Files.readString(Path.of("/proc/self/limits")))).as("this test needs CAP_SYS_NICE").isTrue();
        int before = CompilerThreads.niceOf(Path.of("/proc/thread-self/stat"));

        List<Integer> lowered = CompilerThreads.lowerPriority();

        assertThat(lowered).as("compiler threads found in /proc/self/task").isNotEmpty()
                .containsExactlyInAnyOrderElementsOf(CompilerThreads.compilerThreadIds(Path.of("/proc/self/task")));
        for (int tid : lowered) {
            assertThat(niceOfThread(tid)).as("nice of compiler thread " + tid).isEqualTo(CompilerThreads.DEFAULT_NICE);
        }
        assertThat(CompilerThreads.niceOf(Path.of("/proc/thread-self/stat"))).isEqualTo(before);
        assertThat(CompilerThreads.lowerPriority()).as("a second call while lowered").isEmpty();

        List<Integer> restored = CompilerThreads.restorePriority();

        assertThat(restored).containsExactlyInAnyOrderElementsOf(lowered);
        for (int tid : restored) {
            assertThat(niceOfThread(tid)).as("nice of compiler thread " + tid + " after restore").isEqualTo(before);
        }
        assertThat(CompilerThreads.restorePriority()).as("a second restore").isEmpty();
    }

    @Test
    void aBadNiceValueChangesNoThread() {
        String before = System.getProperty(CompilerThreads.NICE_PROPERTY);
        System.setProperty(CompilerThreads.NICE_PROPERTY, "low");
        try {
            assertThat(CompilerThreads.lowerPriority()).isEmpty();
        } finally {
            if (before == null) {
                System.clearProperty(CompilerThreads.NICE_PROPERTY);
            } else {
                System.setProperty(CompilerThreads.NICE_PROPERTY, before);
            }
        }
    }

    /** Without CAP_SYS_NICE and with Linux's default RLIMIT_NICE of 0, a raised nice value could not be set back. */
    @Test
    void onlyAProcessThatCanSetThemBackLowersThem() {
        String capsNone = "Name:\tjava\nCapEff:\t0000000000000000\n";
        String capsRoot = "Name:\tjava\nCapEff:\t000001ffffffffff\n";
        String capsSysNiceOnly = "CapEff:\t0000000000800000\n";
        String limitZero = "Limit                     Soft Limit           Hard Limit           Units\n"
                + "Max nice priority         0                    0                    \n";
        String limitTwenty = "Max nice priority         20                   20                   \n";
        String limitUnlimited = "Max nice priority         unlimited            unlimited            \n";

        assertThat(CompilerThreads.maySetNice(0, capsNone, limitZero)).isFalse();
        assertThat(CompilerThreads.maySetNice(0, capsRoot, limitZero)).isTrue();
        assertThat(CompilerThreads.maySetNice(0, capsSysNiceOnly, limitZero)).isTrue();
        assertThat(CompilerThreads.maySetNice(0, capsNone, limitTwenty)).isTrue();
        assertThat(CompilerThreads.maySetNice(5, capsNone, "Max nice priority 15 15\n")).isTrue();
        assertThat(CompilerThreads.maySetNice(4, capsNone, "Max nice priority 15 15\n")).isFalse();
        assertThat(CompilerThreads.maySetNice(0, capsNone, limitUnlimited)).isTrue();
        assertThat(CompilerThreads.maySetNice(0, capsNone, "")).isFalse();
    }

    @Test
    void onlyThreadsNamedAsHotSpotsCompilersAreChosen(@TempDir Path tasks) throws IOException {
        task(tasks, 101, "java");
        task(tasks, 102, "C2 CompilerThre");
        task(tasks, 103, "C1 CompilerThre");
        task(tasks, 104, "VM Thread");
        task(tasks, 105, "bench-vcpu0");
        task(tasks, 106, "jvmm-C2-worker"); // a name that merely contains one

        assertThat(CompilerThreads.compilerThreadIds(tasks)).containsExactlyInAnyOrder(102, 103);
    }

    @Test
    void theNiceValueIsZeroToNineteenWithTenByDefault() {
        assertThat(CompilerThreads.niceValue(null)).isEqualTo(10);
        assertThat(CompilerThreads.niceValue(" ")).isEqualTo(10);
        assertThat(CompilerThreads.niceValue("0")).isZero();
        assertThat(CompilerThreads.niceValue(" 19 ")).isEqualTo(19);
        assertThatThrownBy(() -> CompilerThreads.niceValue("-5")).hasMessageContaining("jvmm.jit.nice=-5")
                .hasMessageContaining("0 to 19");
        assertThatThrownBy(() -> CompilerThreads.niceValue("20")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> CompilerThreads.niceValue("low")).hasMessageContaining("not a number");
    }

    private static void task(Path tasks, int tid, String comm) throws IOException {
        Path dir = Files.createDirectories(tasks.resolve(Integer.toString(tid)));
        Files.writeString(dir.resolve("comm"), comm + "\n");
    }

    private static int niceOfThread(int tid) throws IOException {
        return CompilerThreads.niceOf(Path.of("/proc/self/task/" + tid + "/stat"));
    }
}
