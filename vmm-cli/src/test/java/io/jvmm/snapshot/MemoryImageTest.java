package io.jvmm.snapshot;

import com.sun.jna.Pointer;
import io.jvmm.memory.TestGuestRam;
import io.jvmm.spi.RamRegion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The memory file written from RAM and read back into fresh RAM, as snapshot and restore do. */
class MemoryImageTest {
    private static final long LOW = 1 << 20;
    private static final long HIGH = 256 << 10;
    private static final long HIGH_BASE = 1L << 32;

    @TempDir
    Path dir;

    /** Two regions, as a VM with RAM above 4 GiB has, with data runs at both ends of each. */
    private static List<RamRegion> saved() {
        List<RamRegion> regions = new TestGuestRam().region(0, LOW).region(HIGH_BASE, HIGH).build().regions();
        for (RamRegion r : regions) {
            Pointer p = new Pointer(r.hostAddress());
            for (long at : new long[] {0, 4096 + 17, r.size() - 4096, r.size() - 1}) {
                p.setByte(at, (byte) (at * 31 + r.guestAddress() + 1));
            }
        }
        return regions;
    }

    private static List<RamRegion> fresh() {
        return new TestGuestRam().region(0, LOW).region(HIGH_BASE, HIGH).build().regions();
    }

    private static byte[] bytes(RamRegion r) {
        return new Pointer(r.hostAddress()).getByteArray(0, (int) r.size());
    }

    @Test
    void loadPutsEveryRegionBackByteForByteAndLeavesHolesZero() throws Exception {
        List<RamRegion> before = saved();
        MemoryIndex index = MemoryImage.write(before, dir, SnapshotProgress.NONE);
        assertThat(index.dataBytes()).isEqualTo(2 * 3 * 4096);

        List<RamRegion> after = fresh();
        MemoryImage.load(dir, index, after);

        for (int k = 0; k < 2; k++) {
            assertThat(bytes(after.get(k))).isEqualTo(bytes(before.get(k)));
        }
    }

    @Test
    void verifyReadsEveryDataByteAndRefusesAChangedOne() throws Exception {
        MemoryIndex index = MemoryImage.write(saved(), dir, SnapshotProgress.NONE);
        long[] last = new long[2];
        MemoryImage.verify(dir, index, (phase, done, total) -> {
            last[0] = done;
            last[1] = total;
        });
        assertThat(last).containsExactly(index.dataBytes(), index.dataBytes());

        try (RandomAccessFile f = new RandomAccessFile(dir.resolve(MemoryImage.FILE).toFile(), "rw")) {
            f.seek(LOW + HIGH - 1); // the last byte of the region above 4 GiB
            f.write(0x5a);
        }
        assertThatThrownBy(() -> MemoryImage.verify(dir, index, SnapshotProgress.NONE))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("checksum mismatch (guest memory is corrupted)");
    }

    @Test
    void aFileChangedAfterTheCheckIsRefusedOnLoading() throws Exception {
        MemoryIndex index = MemoryImage.write(saved(), dir, SnapshotProgress.NONE);
        MemoryImage.verify(dir, index, SnapshotProgress.NONE);
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve(MemoryImage.FILE).toFile(), "rw")) {
            f.seek(4096 + 17);
            f.write(0x5a);
        }

        assertThatThrownBy(() -> MemoryImage.load(dir, index, fresh()))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("checksum mismatch on loading")
                .hasMessageContaining("nothing was started");
    }

    @Test
    void aFileTruncatedAfterTheCheckIsRefusedOnLoading() throws Exception {
        MemoryIndex index = MemoryImage.write(saved(), dir, SnapshotProgress.NONE);
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve(MemoryImage.FILE).toFile(), "rw")) {
            f.setLength(LOW);
        }

        assertThatThrownBy(() -> MemoryImage.load(dir, index, fresh()))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("expected " + (LOW + HIGH));
    }

    @Test
    void ramOfAnotherShapeIsRefusedBeforeAnythingIsWritten() throws IOException {
        MemoryIndex index = MemoryImage.write(saved(), dir, SnapshotProgress.NONE);
        List<RamRegion> other = new TestGuestRam().region(0, LOW).region(HIGH_BASE, 2 * HIGH).build().regions();

        assertThatThrownBy(() -> MemoryImage.load(dir, index, other))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("RAM region at 0x100000000");
        assertThat(bytes(other.get(0))).containsOnly(0);
    }
}
