package io.jvmm.nested;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The shell lines a scenario runs in L1, run here against a stand-in for bin/jvmm. */
class GuestScenarioTest {
    @TempDir
    Path repo;

    /** A stand-in repository: the real scripts/lib/run-with-deadline and a bin/jvmm with this body. */
    private GuestScenario scenarioWithJvmm(String body) throws Exception {
        Path lib = Files.createDirectories(repo.resolve("scripts/lib"));
        Files.copy(NestedHost.repo().resolve("scripts/lib/run-with-deadline"), lib.resolve("run-with-deadline"));
        // L1's KVM tracing has no business on the build machine: a stand-in that notes its calls.
        Path trace = Files.writeString(lib.resolve("l1-kvm-trace"), "#!/bin/sh\necho \"$@\" >> \"$(dirname \"$0\")/trace-calls\"\n"
                + "[ \"$1\" = save ] && echo 'kvm_exit: reason EXIT_SHUTDOWN' > \"$2\"\nexit 0\n");
        Files.setPosixFilePermissions(trace, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path bin = Files.createDirectories(repo.resolve("bin"));
        Path jvmm = Files.writeString(bin.resolve("jvmm"), "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(jvmm, PosixFilePermissions.fromString("rwxr-xr-x"));
        return GuestScenario.create(repo.resolve("scratch"), "s1", repo.resolve("vmlinuz"), repo.resolve("initrd"),
                "256M", 1, "console=ttyS0");
    }

    /** A bin/jvmm whose runs triple-fault (exit 5), counting its runs in the scenario's folder. */
    private GuestScenario scenarioWhoseGuestTripleFaults() throws Exception {
        return scenarioWithJvmm("""
                for a; do config=$a; done; d=$(dirname "$config")
                echo run >> "$d/runs"; echo 'half' > "$d/serial.log"
                echo 'jvmm: guest triple-faulted: the VM is stopped (exit code 5)'; exit 5
                """);
    }

    private static String run(String lines) throws Exception {
        Process p = new ProcessBuilder(List.of("sh", "-c", lines)).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void aTripleFaultIsRunOnceAndItsExitCodeStands() throws Exception {
        GuestScenario s = scenarioWhoseGuestTripleFaults();

        String out = run(s.driverLines(repo, 30));

        assertThat(out).contains("scenario s1: jvmm exit 5").doesNotContain("FLAKE", "RERUN");
        assertThat(s.exitCode()).isEqualTo(5);
        assertThat(s.jvmmOutput()).contains("triple-faulted");
        assertThat(s.dir().resolve("runs")).content().isEqualTo("run\n");
        assertThat(s.dir().resolve("l1-kvm-trace.txt")).content().contains("EXIT_SHUTDOWN");
    }

    @Test
    void aHungRunLeavesItsThreadsInTheOutputAndExits124() throws Exception {
        GuestScenario s = scenarioWithJvmm("echo started; exec sleep 600\n");

        String out = run(s.driverLines(repo, 1));

        assertThat(out).contains("scenario s1: jvmm exit 124");
        assertThat(s.jvmmOutput()).contains("started", "still running after 1 s", "thread ", "state=");
        assertThat(s.dir().resolve("l1-kvm-trace.txt")).as("L1's KVM events of a hung run").exists();
    }
}
