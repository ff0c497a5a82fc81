package io.jvmm.nested;

import io.jvmm.boot.SyntheticBzImage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tests tagged "real-kvm" (ioctl numbers, struct layouts, exit decoding, state
 * save/restore against the kernel) need a working /dev/kvm, which the build machine does not
 * have: they run here, inside the nested host, with JUnit's ConsoleLauncher, and any skipped,
 * aborted or missing test fails this one. The same L1 boot shows that a guest triple fault
 * ends {@code jvmm run} with exit code 5 and the vCPU's registers.
 */
@Tag("nested")
class RealKvmNestedIT {
    /** The classes tagged "real-kvm"; each must run, and pass, in L1. */
    private static final List<String> REAL_KVM_CLASSES = List.of("KvmRealModeTest", "VcpuStatesRealKvmTest", "PausedClockRealKvmTest");

    private static Path work;
    private static GuestScenario tripleFault;

    @BeforeAll
    static void runInL1() throws IOException, InterruptedException {
        Path repo = NestedHost.repo();
        work = NestedHost.workDir("real-kvm");
        for (String f : List.of("junit.out", "junit.exit", "again.out", "again.exit")) {
            Files.deleteIfExists(work.resolve(f));
        }
        Path kernel = Files.write(work.resolve("triple-fault.bzImage"), SyntheticBzImage.tripleFaulting().build());
        Path initrd = Files.write(work.resolve("empty.cpio"), new byte[512]);
        tripleFault = GuestScenario.create(work, "triple-fault", kernel, initrd, "128M", 1, "console=ttyS0");
        Files.deleteIfExists(tripleFault.dir().resolve("exit"));

        String target = "vmm-cli/" + System.getProperty("jvmm.target", "target");
        String driver = """
                #!/bin/bash
                cd '%1$s' || exit 1
                cp="$(cat %2$s/test-classpath.txt):%2$s/test-classes:%2$s/classes"
                java $JAVA_OPTS -Djna.tmpdir=/tmp -cp "$cp" org.junit.platform.console.ConsoleLauncher execute \\
                    --disable-banner --disable-ansi-colors --details=tree --fail-if-no-tests \\
                    --include-tag real-kvm --scan-classpath %2$s/test-classes > '%3$s/junit.out' 2>&1
                echo $? > '%3$s/junit.exit'
                echo "real-kvm tests: exit $(cat '%3$s/junit.exit')"
                %4$s
                # Once more without the scenario's own trace handling: nested-run --kvm-trace,
                # which every nested run has, must keep L1's events up to the triple fault.
                scripts/lib/l1-kvm-trace start
                bin/jvmm run --no-api '%5$s/vm.toml' > '%3$s/again.out' 2>&1; echo $? > '%3$s/again.exit'
                """.formatted(repo, target, work, tripleFault.driverLines(repo, 120), tripleFault.dir());
        Path script = Files.writeString(work.resolve("driver.sh"), driver);
        NestedHost.runInL1(work, 600, List.of("bash", script.toString()));
    }

    private static String junitOutput() throws IOException {
        Path f = work.resolve("junit.out");
        return Files.exists(f) ? Files.readString(f) : "(no output: the launcher did not run)";
    }

    private static long count(String junit, String what) {
        Matcher m = Pattern.compile("\\[\\s*(\\d+) tests " + what + "\\s*]").matcher(junit);
        assertThat(m.find()).as("ConsoleLauncher's summary has 'tests %s':%n%s", what, junit).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void realKvmTestsRunAndPassAgainstL1sKvm() throws IOException {
        String junit = junitOutput();
        assertThat(Files.readString(work.resolve("junit.exit")).strip()).as(junit).isEqualTo("0");
        assertThat(junit).contains(REAL_KVM_CLASSES);
        assertThat(count(junit, "successful")).as(junit).isGreaterThanOrEqualTo(REAL_KVM_CLASSES.size());
        assertThat(count(junit, "failed")).as(junit).isZero();
        assertThat(count(junit, "skipped")).as(junit).isZero();
        assertThat(count(junit, "aborted")).as(junit).isZero();
    }

    @Test
    void aGuestTripleFaultEndsJvmmWithExitFiveAndTheRegisters() throws IOException {
        assertThat(tripleFault.exitCode()).as(tripleFault.describe()).isEqualTo(5);
        assertThat(tripleFault.jvmmOutput()).as(tripleFault.describe())
                .contains("guest triple-faulted: the VM is stopped (exit code 5)")
                .contains("KVM_EXIT_SHUTDOWN").contains("RIP=");
    }

    @Test
    void everyNestedRunKeepsL1sKvmEventsUpToAGuestTripleFault() throws IOException {
        assertThat(Files.readString(work.resolve("again.exit")).strip()).as(Files.readString(work.resolve("again.out")))
                .isEqualTo("5");
        // The last attempt's file (a rerun writes .2).
        Path trace = Files.exists(NestedHost.tripleFaultTrace(work, 2))
                ? NestedHost.tripleFaultTrace(work, 2) : NestedHost.tripleFaultTrace(work, 1);
        assertThat(trace).as("nested-run --kvm-trace saved L1's KVM events of the triple fault").exists();
        List<String> exits = Files.readAllLines(trace).stream().filter(l -> l.contains("kvm_exit:")).toList();
        assertThat(exits).as("the guest's exits").isNotEmpty();
        // The ring froze at the shutdown exit: it is the last exit, and it names the guest's RIP.
        assertThat(exits.get(exits.size() - 1)).containsPattern(NestedHost.SHUTDOWN_EXIT).contains("rip 0x");
    }
}
