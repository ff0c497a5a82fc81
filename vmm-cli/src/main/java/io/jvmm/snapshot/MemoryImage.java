package io.jvmm.snapshot;

import com.sun.jna.Pointer;
import io.jvmm.spi.RamRegion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.zip.CRC32C;

/**
 * Guest memory as a sparse file: the RAM regions end to end, only pages that are not all
 * zeros written (found by scanning 4 KiB pages; mincore or SEEK_DATA would miss pages the
 * guest touched back to zero). Holes read as zeros, so a restore reads only the data extents
 * into fresh RAM.
 */
public final class MemoryImage {
    public static final String FILE = "memory.bin";
    private static final int PAGE = 4096;
    private static final int CHUNK = 64 << 20;
    private static final ByteBuffer ZERO_PAGE = ByteBuffer.allocateDirect(PAGE);
    private static final Logger LOG = LoggerFactory.getLogger(MemoryImage.class);

    private MemoryImage() {
    }

    /**
     * Writes {@code regions} (paused guest RAM) to a new {@code dir}/memory.bin (mode 0600,
     * fsynced) and returns its index; {@code dir} is a {@link SnapshotDirWriter}'s.
     */
    public static MemoryIndex write(List<RamRegion> regions, Path dir, SnapshotProgress progress) throws IOException {
        long total = regions.stream().mapToLong(RamRegion::size).sum();
        List<MemoryIndex.Region> index = new ArrayList<>();
        List<MemoryIndex.Extent> extents = new ArrayList<>();
        CRC32C crc = new CRC32C();
        Path file = dir.resolve(FILE);
        SnapshotDirWriter.createPrivate(file).close();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(total);
            FileChannel ch = raf.getChannel();
            long fileOffset = 0;
            long done = 0;
            for (RamRegion r : regions) {
                index.add(new MemoryIndex.Region(r.guestAddress(), r.size(), fileOffset));
                long runStart = -1;
                for (long at = 0; at < r.size(); at += CHUNK) {
                    int len = (int) Math.min(CHUNK, r.size() - at);
                    ByteBuffer chunk = new Pointer(r.hostAddress() + at).getByteBuffer(0, len);
                    for (int p = 0; p < len; p += PAGE) {
                        boolean zero = chunk.slice(p, PAGE).mismatch(ZERO_PAGE.duplicate()) == -1;
                        long pageOffset = at + p;
                        if (!zero && runStart < 0) {
                            runStart = pageOffset;
                        } else if (zero && runStart >= 0) {
                            flush(r, ch, fileOffset, runStart, pageOffset, extents, crc);
                            runStart = -1;
                        }
                    }
                    done += len;
                    progress.update("memory", done, total);
                }
                if (runStart >= 0) {
                    flush(r, ch, fileOffset, runStart, r.size(), extents, crc);
                }
                fileOffset += r.size();
            }
            // Metadata too: the file's size is part of what restore checks.
            ch.force(true);
        }
        return new MemoryIndex(FILE, index, extents, (int) crc.getValue());
    }

    private static void flush(RamRegion r, FileChannel ch, long regionFileOffset, long from, long to,
                              List<MemoryIndex.Extent> extents, CRC32C crc) throws IOException {
        for (long at = from; at < to; at += CHUNK) {
            int len = (int) Math.min(CHUNK, to - at);
            ByteBuffer data = new Pointer(r.hostAddress() + at).getByteBuffer(0, len);
            crc.update(data.duplicate());
            long pos = regionFileOffset + at;
            while (data.hasRemaining()) {
                pos += ch.write(data, pos);
            }
        }
        extents.add(new MemoryIndex.Extent(regionFileOffset + from, to - from));
    }

    /**
     * Checks the memory file against its index: its size, and the CRC32C of the data extents
     * (cost proportional to the data the guest had, not to its memory size).
     */
    public static void verify(Path dir, MemoryIndex index, SnapshotProgress progress) throws SnapshotException {
        Path file = dir.resolve(index.fileName());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() != index.fileSize()) {
                throw new SnapshotException(file + ": " + ch.size() + " bytes, expected " + index.fileSize()
                        + " (truncated or not this snapshot's memory)");
            }
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            long total = index.dataBytes();
            int crc;
            try {
                crc = crcOfExtents(ch, index, (pos, max) -> buf.clear().limit(Math.min(buf.capacity(), max)),
                        done -> progress.update("memory check", done, total));
            } catch (EOFException e) {
                throw new SnapshotException(file + ": truncated");
            }
            if (crc != index.crc32c()) {
                throw new SnapshotException(file + ": checksum mismatch (guest memory is corrupted)");
            }
        } catch (NoSuchFileException e) {
            throw new SnapshotException(file + ": missing (the snapshot's guest memory)");
        } catch (IOException e) {
            throw new SnapshotException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the memory file's data extents into {@code regions} (the restored VM's RAM, still
     * all zeros: holes are left untouched) and checks their CRC32C again on the bytes read.
     * The guest runs on exactly the bytes that were checked: a file changed after
     * {@link #verify} is refused here, and nothing of the file stays mapped under the running
     * guest (a lazily mapped file would pass a later change on, and its truncation would be a
     * SIGBUS in whichever thread touched the page).
     *
     * @param regions guest RAM with the same guest addresses and sizes as the index's regions
     */
    public static void load(Path dir, MemoryIndex index, List<RamRegion> regions) throws SnapshotException {
        long start = System.nanoTime();
        Path file = dir.resolve(index.fileName());
        List<RamRegion> targets = new ArrayList<>();
        for (MemoryIndex.Region r : index.regions()) {
            targets.add(regions.stream().filter(g -> g.guestAddress() == r.guestAddress() && g.size() == r.size())
                    .findFirst().orElseThrow(() -> new SnapshotException(file + ": its RAM region at 0x"
                            + Long.toHexString(r.guestAddress()) + " (" + r.size() + " bytes) is not this VM's")));
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() != index.fileSize()) {
                throw new SnapshotException(file + ": " + ch.size() + " bytes, expected " + index.fileSize()
                        + " (changed since it was checked); nothing was started");
            }
            int crc;
            try {
                // Each piece lies inside one region (the index keeps extents inside the file,
                // and each target has its saved region's size), so it is in bounds.
                crc = crcOfExtents(ch, index, (pos, max) -> {
                    int k = regionAt(index, pos);
                    long inRegion = pos - index.regions().get(k).fileOffset();
                    int len = (int) Math.min(max, index.regions().get(k).size() - inRegion);
                    return new Pointer(targets.get(k).hostAddress() + inRegion).getByteBuffer(0, len);
                }, done -> { });
            } catch (EOFException e) {
                throw new SnapshotException(file + ": truncated since it was checked; nothing was started");
            }
            if (crc != index.crc32c()) {
                throw new SnapshotException(file + ": checksum mismatch on loading (the file changed since it was "
                        + "checked); nothing was started");
            }
        } catch (NoSuchFileException e) {
            throw new SnapshotException(file + ": missing (the snapshot's guest memory)");
        } catch (IOException e) {
            throw new SnapshotException(file + ": cannot read: " + e.getMessage(), e);
        }
        LOG.info("guest memory loaded: {} MiB of data in {} ms", index.dataBytes() >> 20,
                (System.nanoTime() - start) / 1_000_000);
    }

    /** Where the file's data at {@code pos} goes: an empty buffer (position 0) of at most {@code max} bytes. */
    private interface Destination {
        ByteBuffer at(long pos, int max);
    }

    /**
     * Reads every data extent of the file, piece by piece, into the buffers {@code into}
     * gives, and returns the CRC32C of all of it; {@code done} hears the bytes read so far
     * after each extent. Shared by {@link #verify} (a scratch buffer) and {@link #load}
     * (guest RAM).
     *
     * @throws EOFException when the file ends before an extent does
     */
    private static int crcOfExtents(FileChannel ch, MemoryIndex index, Destination into, LongConsumer done)
            throws IOException {
        CRC32C crc = new CRC32C();
        long total = 0;
        for (MemoryIndex.Extent e : index.extents()) {
            long end = e.offset() + e.length();
            for (long pos = e.offset(); pos < end; ) {
                ByteBuffer dst = into.at(pos, (int) Math.min(CHUNK, end - pos));
                while (dst.hasRemaining()) {
                    if (ch.read(dst, pos + dst.position()) < 0) {
                        throw new EOFException();
                    }
                }
                int len = dst.position();
                crc.update(dst.flip());
                pos += len;
                total += len;
            }
            done.accept(total);
        }
        return (int) crc.getValue();
    }

    /** The index of the region holding file offset {@code pos}, which is inside the file. */
    private static int regionAt(MemoryIndex index, long pos) {
        List<MemoryIndex.Region> rs = index.regions();
        for (int k = 0; k < rs.size(); k++) {
            MemoryIndex.Region r = rs.get(k);
            if (pos >= r.fileOffset() && pos < r.fileOffset() + r.size()) {
                return k;
            }
        }
        throw new IllegalStateException("file offset " + pos + " outside every region");
    }
}
