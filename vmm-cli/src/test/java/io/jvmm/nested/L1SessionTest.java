package io.jvmm.nested;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job script L1Session writes, run here with bash against a stand-in for L1's KVM trace. */
class L1SessionTest {
    @TempDir
    Path dir;

    private record Ran(int exit, String out) {
    }

    private Ran runJob(Map<String, String> env, List<String> command) throws Exception {
        Path repo = Files.createDirectories(dir.resolve("a repo's 'dir'"));
        Path lib = Files.createDirectories(repo.resolve("scripts/lib"));
        // L1's KVM tracing has no business on the build machine: a stand-in that notes its start
        // and save calls, and runs 'around FILE -- CMD' as the real one does.
        Path trace = Files.writeString(lib.resolve("l1-kvm-trace"), """
                #!/bin/sh
                if [ "$1" = around ]; then
                  f=$2; shift 3
                  "$0" start --until-shutdown; "$@"; rc=$?; "$0" save-if-shutdown "$f"; exit $rc
                fi
                echo "$@" >> "$(dirname "$0")/trace-calls"
                exit 0
                """);
        Files.setPosixFilePermissions(trace, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path job = Files.writeString(dir.resolve("1.job"), L1Session.script(env, repo, dir.resolve("trace.txt"), command));
        Process p = new ProcessBuilder("bash", job.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Ran(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void theCommandRunsInTheRepositoryWithItsWordsAndEnvironmentTakenLiterally() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JAVA_OPTS", "-XX:ErrorFile=/x y/hs_err_pid%p.log -Da='b'");
        Ran r = runJob(env, List.of("sh", "-c", "printf '%s|' \"$@\" \"$JAVA_OPTS\" \"$(basename \"$PWD\")\"", "sh",
                "a b", "it's", "$HOME", "`id`"));
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).isEqualTo("a b|it's|$HOME|`id`|-XX:ErrorFile=/x y/hs_err_pid%p.log -Da='b'|a repo's 'dir'|");
    }

    @Test
    void theJobEndsWithTheCommandsStatusAfterTheTraceIsStartedAndSaved() throws Exception {
        Ran r = runJob(Map.of(), List.of("sh", "-c", "exit 7"));
        assertThat(r.exit()).as(r.out()).isEqualTo(7);
        assertThat(Files.readAllLines(dir.resolve("a repo's 'dir'/scripts/lib/trace-calls")))
                .containsExactly("start --until-shutdown", "save-if-shutdown " + dir.resolve("trace.txt"));
    }
}
