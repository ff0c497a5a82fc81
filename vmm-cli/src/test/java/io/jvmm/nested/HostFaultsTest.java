package io.jvmm.nested;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The rerun rule of the nested tests: what counts as a sign of the host, and what a rerun discards. */
class HostFaultsTest {
    @TempDir
    Path scratch;

    @Test
    void aTripleFaultOrAJvmCrashInAnOutputTheRunWroteIsASign() throws Exception {
        Path disk = Files.writeString(Files.createDirectories(scratch.resolve("blk")).resolve("disk.img"), "image");
        Set<Path> before = HostFaults.listing(scratch);
        Files.writeString(disk, "written by the guest: " + GuestScenario.TRIPLE_FAULT);
        Files.writeString(scratch.resolve("blk/jvmm.out"), "jvmm: guest triple-faulted (treated as reset)\n");
        Files.writeString(scratch.resolve("hs_err_pid42.log"), "# " + GuestScenario.JVM_CRASH);
        Files.writeString(scratch.resolve("run.out"), "#\n# " + GuestScenario.JVM_CRASH + ":\n");
        Files.writeString(scratch.resolve("blk/serial.log"), "[    1.0] booted\n");
        Files.writeString(scratch.resolve("blk/jvmm.out.first"), "jvmm: guest triple-faulted (treated as reset)\n");

        assertThat(HostFaults.signs(scratch, before)).containsExactly(
                "a guest triple-faulted (blk/jvmm.out)", "a JVM crashed (run.out)");
    }

    @Test
    void aCleanRunAndFilesThatExistedBeforeAreNoSign() throws Exception {
        Files.writeString(scratch.resolve("old.out"), "guest triple-faulted in an earlier run");
        Set<Path> before = HostFaults.listing(scratch);
        Files.writeString(scratch.resolve("jvmm.out"), "jvmm: the guest powered off\n");

        assertThat(HostFaults.signs(scratch, before)).isEmpty();
    }

    @Test
    void discardingKeepsInputsAndCrashReportsAndDeletesTheRunsOutputs() throws Exception {
        Path input = Files.writeString(scratch.resolve("vm.toml"), "[vm]");
        Set<Path> before = HostFaults.listing(scratch);
        Path output = Files.writeString(scratch.resolve("exit"), "0");
        Path report = Files.writeString(scratch.resolve("hs_err_pid7.log"), "#");

        HostFaults.discardOutputs(scratch, before);

        assertThat(input).exists();
        assertThat(report).exists();
        assertThat(output).doesNotExist();
    }
}
