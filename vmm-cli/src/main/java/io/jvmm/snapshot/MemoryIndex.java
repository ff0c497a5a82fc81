package io.jvmm.snapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * Where guest RAM is in the memory file: the RAM regions (laid end to end in the file) and
 * the extents holding data (everything else is a hole and reads as zeros), with a CRC32C
 * over the data extents.
 */
public record MemoryIndex(String fileName, List<Region> regions, List<Extent> extents, int crc32c) {
    public static final int VERSION = 1;
    static final int MAX_REGIONS = 64;
    static final int MAX_EXTENTS = 1 << 22;
    static final long PAGE = 4096;

    /** A RAM region at {@code guestAddress} stored at {@code fileOffset}. */
    public record Region(long guestAddress, long size, long fileOffset) {
    }

    /** A run of non-zero pages in the file. */
    public record Extent(long offset, long length) {
    }

    public MemoryIndex {
        if (!fileName.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("memory file name '" + fileName + "' is not a plain file name");
        }
        long expect = 0;
        for (Region r : regions) {
            if (r.fileOffset() != expect || r.size() <= 0 || r.size() % PAGE != 0 || r.guestAddress() % PAGE != 0
                    || r.guestAddress() < 0) {
                throw new IllegalArgumentException("bad RAM region " + r);
            }
            expect += r.size();
        }
        long end = 0;
        for (Extent e : extents) {
            if (e.offset() < end || e.length() <= 0 || e.offset() % PAGE != 0 || e.length() % PAGE != 0
                    || e.offset() + e.length() > expect) {
                throw new IllegalArgumentException("bad memory extent " + e);
            }
            end = e.offset() + e.length();
        }
        regions = List.copyOf(regions);
        extents = List.copyOf(extents);
    }

    /** The memory file's length: all regions end to end. */
    public long fileSize() {
        return regions.stream().mapToLong(Region::size).sum();
    }

    public long dataBytes() {
        return extents.stream().mapToLong(Extent::length).sum();
    }

    public byte[] encode() {
        StateOutput out = new StateOutput().string(fileName).u32(regions.size());
        for (Region r : regions) {
            out.u64(r.guestAddress()).u64(r.size()).u64(r.fileOffset());
        }
        out.u32(extents.size());
        for (Extent e : extents) {
            out.u64(e.offset()).u64(e.length());
        }
        return out.u32(crc32c).toByteArray();
    }

    public static MemoryIndex decode(String what, int version, byte[] payload) throws SnapshotException {
        StateInput in = new StateInput(what, payload);
        if (version != VERSION) {
            throw in.bad("version " + version + " (this jvmm reads version " + VERSION + ")");
        }
        String name = in.string(255);
        int n = in.u32();
        if (n < 1 || n > MAX_REGIONS) {
            throw in.bad(Integer.toUnsignedString(n) + " RAM regions");
        }
        List<Region> regions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            regions.add(new Region(in.u64(), in.u64(), in.u64()));
        }
        int m = in.u32();
        if (m < 0 || m > MAX_EXTENTS) {
            throw in.bad(Integer.toUnsignedString(m) + " memory extents");
        }
        List<Extent> extents = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            extents.add(new Extent(in.u64(), in.u64()));
        }
        int crc = in.u32();
        in.end();
        try {
            return new MemoryIndex(name, regions, extents, crc);
        } catch (IllegalArgumentException e) {
            throw in.bad(e.getMessage());
        }
    }
}
