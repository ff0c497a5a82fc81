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

    /** This JVM's real compiler threads (the test JVM compiles) get the default nice value; the caller keeps its own. */
    @Test
    void theCompilerThreadsOfThisJvmGetTheNiceValueAndTheCallerKeepsItsOwn() throws IOException {
        int callerBefore = nice(Path.of("/proc/thread-self/stat"));

        List<Integer> changed = CompilerThreads.lowerPriority();

        assertThat(changed).as("compiler threads found in /proc/self/task").isNotEmpty()
                .containsExactlyInAnyOrderElementsOf(CompilerThreads.compilerThreadIds(Path.of("/proc/self/task")));
        for (int tid : changed) {
            assertThat(nice(Path.of("/proc/self/task/" + tid + "/stat"))).as("nice of compiler thread " + tid)
                    .isEqualTo(CompilerThreads.DEFAULT_NICE);
        }
        assertThat(nice(Path.of("/proc/thread-self/stat"))).isEqualTo(callerBefore);
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

    /** Field 19 of proc(5)'s stat, counted after the command name in parentheses (which may hold spaces). */
    private static int nice(Path stat) throws IOException {
        String s = Files.readString(stat);
        String[] fields = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[19 - 3]);
    }
}
