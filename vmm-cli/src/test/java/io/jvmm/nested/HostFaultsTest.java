package io.jvmm.nested;

import io.jvmm.devices.legacy.Serial8250;
import io.jvmm.kvm.KvmStruct;
import io.jvmm.kvm.LapicState;
import io.jvmm.snapshot.Snapshot;
import io.jvmm.snapshot.SnapshotFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The rerun rule of the nested tests: only positive evidence that the emulated host failed. */
class HostFaultsTest {
    @TempDir
    Path scratch;

    private static final String JIT_CRASH = """
            #
            # A fatal error has been detected by the Java Runtime Environment:
            #
            #  SIGSEGV (0xb) at pc=0x00007f3c2d0a1b20, pid=144, tid=150
            #
            # JRE version: OpenJDK Runtime Environment (17.0.15+6) (build 17.0.15+6-Debian-1deb12u1)
            # Problematic frame:
            # J 312 c1 java.lang.StringLatin1.canEncode(I)Z java.base (13 bytes) @ 0x00007f3c2d0a1b20 [0x00007f3c2d0a1b00+0x0000000000000020]
            #
            """;
    private static final String JNA_CRASH = """
            # A fatal error has been detected by the Java Runtime Environment:
            # Problematic frame:
            # C  [jna1234567890.tmp+0x14a2c]  ffi_call_unix64+0x4c
            """;

    private Path file(String name, String text) throws Exception {
        Path f = scratch.resolve(name);
        Files.createDirectories(f.getParent());
        return Files.writeString(f, text);
    }

    @Test
    void aCrashInJitCompiledOrJvmCodeIsEvidence() throws Exception {
        Path jit = file("hs_err_pid144.log", JIT_CRASH);
        Path vm = file("hs_err_pid145.log", "# Problematic frame:\n# V  [libjvm.so+0x5c1a2e]  Unsafe_GetInt+0x4e\n");

        assertThat(HostFaults.evidence(0, null, List.of(jit, vm))).containsExactly(
                "a JVM crashed in JIT-compiled Java code [J 312 c1 java.lang.StringLatin1.canEncode(I)Z java.base "
                        + "(13 bytes) @ 0x00007f3c2d0a1b20 [0x00007f3c2d0a1b00+0x0000000000000020]] (hs_err_pid144.log)",
                "a JVM crashed in the JVM's own code [V [libjvm.so+0x5c1a2e]  Unsafe_GetInt+0x4e] (hs_err_pid145.log)");
    }

    @Test
    void aCrashInNativeCodeIsNoEvidenceButASuspect() throws Exception {
        Path jna = file("hs_err_pid7.log", JNA_CRASH);
        long since = System.currentTimeMillis() - 5000;

        assertThat(HostFaults.evidence(1, null, List.of(jna))).isEmpty();
        assertThat(HostFaults.suspects(scratch, List.of(jna), since))
                .containsExactly("a JVM crashed in native code [C [jna1234567890.tmp+0x14a2c]  ffi_call_unix64+0x4c] "
                        + "(hs_err_pid7.log)");
    }

    @Test
    void aCrashReportWithoutItsFrameIsNoEvidence() throws Exception {
        Path cut = file("hs_err_pid8.log", "# A fatal error has been detected by the Java Runtime Environment:\n");

        assertThat(HostFaults.evidence(1, null, List.of(cut))).isEmpty();
    }

    @Test
    void aGuestTripleFaultAloneIsNoEvidenceButASuspect() throws Exception {
        long since = System.currentTimeMillis() - 5000;
        file("blk/jvmm.out", "jvmm: guest triple-faulted: the VM is stopped (exit code 5)\n");
        file("blk/serial.log", "[    1.0] booted\n");

        assertThat(HostFaults.evidence(0, null, List.of())).isEmpty();
        assertThat(HostFaults.suspects(scratch, List.of(), since)).containsExactly("a guest triple-faulted (blk/jvmm.out)");
    }

    @Test
    void nestedRunsWatchdogAndABrokenL1AreEvidence() throws Exception {
        assertThat(HostFaults.evidence(NestedHost.LOCKUP_EXIT, null, List.of())).singleElement().asString()
                .contains("watchdog");
        assertThat(HostFaults.evidence(NestedHost.SETUP_FAILED_EXIT, null, List.of())).singleElement().asString()
                .contains("exit 125");
        assertThat(HostFaults.evidence(NestedHost.TIMEOUT_EXIT, null, List.of())).as("a timeout alone proves nothing")
                .isEmpty();
    }

    @Test
    void lockupsStallsAndPanicsOnL1sConsoleAreEvidence() throws Exception {
        String[][] cases = {
                {"[  312.1] watchdog: BUG: soft lockup - CPU#1 stuck for 26s! [qemu-system-x86:512]",
                        "watchdog: BUG: soft lockup - CPU#1 stuck for 26s"},
                {"[  300.0] NMI watchdog: Watchdog detected hard LOCKUP on cpu 0", "Watchdog detected hard LOCKUP on cpu 0"},
                {"[  250.2] rcu: INFO: rcu_preempt self-detected stall on CPU", "rcu: INFO: rcu_preempt self-detected stall on CPU"},
                {"[   99.9] Kernel panic - not syncing: Fatal exception in interrupt",
                        "Kernel panic - not syncing: Fatal exception in interrupt"}};
        for (String[] c : cases) {
            Path console = file("console.log", "[    0.0] Linux version 6.1\n" + c[0] + "\n[  400.0] more\n");
            assertThat(HostFaults.evidence(0, console, List.of())).as(c[0]).containsExactly("L1's kernel console: " + c[1]);
        }
    }

    @Test
    void aQuietConsoleIsNoEvidence() throws Exception {
        Path console = file("console.log", "[    0.0] Linux version 6.1\n[    8.0] kvm_amd: Nested Virtualization enabled\n"
                + "[    9.0] kvm: vcpu 0: Unhandled WRMSR(0xc0010007)\n");

        assertThat(HostFaults.evidence(0, console, List.of())).isEmpty();
    }

    @Test
    void onlyCrashReportsWrittenSinceTheRunBeganCount() throws Exception {
        Path old = file("hs_err_pid1.log", JIT_CRASH);
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.fromMillis(1000));
        Path fresh = file("hs_err_pid2.log", JIT_CRASH);

        assertThat(HostFaults.crashReports(scratch, System.currentTimeMillis() - 5000)).containsExactly(fresh);
    }

    @Test
    void aSilentGuestsSnapshotShowingItsSerialInterruptLostBeneathJvmmIsEvidence() throws Exception {
        Serial8250 uart = Serial8250.com1(StallReport.NO_LINE,
                new ByteArrayOutputStream());
        uart.write(1, new byte[] {0x02}); // IER: THRE, pending at once
        byte[] events = new byte[KvmStruct.Kind.VCPU_EVENTS.size()];
        byte[] idle = new byte[LapicState.SIZE];
        byte[] inService = idle.clone();
        inService[0x100 + 0x10] = 1 << 2; // ISR: vector 0x22
        Snapshot lost = StallReportTest.snapshot(uart.saveState(), StallReportTest.pin4(0x22, false, true), idle, events);
        Snapshot held = StallReportTest.snapshot(uart.saveState(), StallReportTest.pin4(0x22, false, true), inService, events);
        for (String dir : List.of("stall", "stall-held", "snap")) {
            Files.createDirectories(scratch.resolve(dir));
        }
        SnapshotFile.write(scratch.resolve("stall"), lost);
        SnapshotFile.write(scratch.resolve("stall-held"), held);
        SnapshotFile.write(scratch.resolve("snap"), lost); // not a driver's stall snapshot: never evidence
        Files.createDirectories(scratch.resolve("stall-empty"));

        assertThat(HostFaults.lostInterrupts(scratch, 0)).singleElement().asString()
                .contains("COM1 interrupt was lost below jvmm", "THRE", "(stall)");
        assertThat(HostFaults.lostInterrupts(scratch, System.currentTimeMillis() + 60_000)).as("older than the run").isEmpty();
    }
}
