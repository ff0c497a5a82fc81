package io.jvmm.nested;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A rerun starts from the same inputs as the first run. */
class ScratchInputsTest {
    @TempDir
    Path dir;

    @Test
    void restorePutsInputsBackMovesOutputsAsideAndKeepsCrashReports() throws Exception {
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        Path config = Files.writeString(scratch.resolve("vm.toml"), "[vm]\n");
        Path disk = Files.createDirectories(scratch.resolve("blk")).resolve("disk.img");
        try (var f = new java.io.RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(64L << 20); // sparse, as the tests' images are
            f.seek(4096);
            f.write("marker".getBytes());
        }
        ScratchInputs inputs = ScratchInputs.save(scratch);

        // What a run does: writes the disk, deletes an input, leaves outputs and a crash report.
        try (var f = new java.io.RandomAccessFile(disk.toFile(), "rw")) {
            f.seek(4096);
            f.write("GUEST!".getBytes());
        }
        Files.delete(config);
        Path output = Files.writeString(scratch.resolve("blk/jvmm.out"), "jvmm: guest powered off\n");
        Path report = Files.writeString(scratch.resolve("hs_err_pid9.log"), "#");

        inputs.restore(dir.resolve("scratch.attempt-1"));

        assertThat(config).content().isEqualTo("[vm]\n");
        byte[] sector = new byte[6];
        try (var f = new java.io.RandomAccessFile(disk.toFile(), "r")) {
            f.seek(4096);
            f.readFully(sector);
        }
        assertThat(new String(sector)).isEqualTo("marker");
        assertThat(Files.size(disk)).isEqualTo(64L << 20);
        assertThat(output).doesNotExist();
        assertThat(dir.resolve("scratch.attempt-1/blk/jvmm.out")).content().isEqualTo("jvmm: guest powered off\n");
        assertThat(report).exists();

        inputs.discard();
        assertThat(dir.resolve("scratch.inputs")).doesNotExist();
    }
}
