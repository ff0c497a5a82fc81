package io.jvmm.snapshot;

import io.jvmm.memory.TestGuestRam;
import io.jvmm.spi.RamRegion;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Snapshot directories written by the real writer ({@link SnapshotDirWriter}, {@link MemoryImage},
 * {@link SnapshotFile}) from test RAM, without KVM: the vCPU and VM state are the sample's.
 */
public final class TestSnapshots {
    private TestSnapshots() {
    }

    /** RAM of {@code bytes} with a few non-zero pages, as guest memory would have. */
    public static List<RamRegion> ram(long bytes) {
        List<RamRegion> regions = new TestGuestRam().region(0, bytes).build().regions();
        com.sun.jna.Pointer p = new com.sun.jna.Pointer(regions.get(0).hostAddress());
        p.setString(0x1000, "guest data");
        p.setLong(bytes - 8, 0x1234_5678_9abc_def0L);
        return regions;
    }

    /** Writes a complete snapshot of {@code config} (memory from {@link #ram}) to {@code target}. */
    public static void write(Path target, SnapshotConfig config) throws Exception {
        write(target, config, HostFiles.NONE);
    }

    /** Like {@link #write(Path, SnapshotConfig)}, recording {@code hostFiles}. */
    public static void write(Path target, SnapshotConfig config, HostFiles hostFiles) throws Exception {
        try (SnapshotDirWriter w = SnapshotDirWriter.begin(target)) {
            writeFiles(w.dir(), config, hostFiles);
            w.commit();
        }
    }

    /** Writes the snapshot's files into {@code dir} (a writer's directory), without completing it. */
    public static void writeFiles(Path dir, SnapshotConfig config) throws IOException {
        writeFiles(dir, config, HostFiles.NONE);
    }

    /** Like {@link #writeFiles(Path, SnapshotConfig)}, recording {@code hostFiles}. */
    public static void writeFiles(Path dir, SnapshotConfig config, HostFiles hostFiles) throws IOException {
        MemoryIndex memory = MemoryImage.write(ram(config.memoryBytes()), dir, SnapshotProgress.NONE);
        Snapshot sample = SnapshotFileTest.sample();
        SnapshotFile.write(dir, new Snapshot(config, sample.vm(), sample.vcpus(), sample.devices(), memory, hostFiles));
    }
}
