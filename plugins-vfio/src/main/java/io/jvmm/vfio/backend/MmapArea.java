package io.jvmm.vfio.backend;

/**
 * A part of a region that may be mapped into the guest (struct vfio_region_sparse_mmap_area).
 *
 * @param offset from the start of the region
 * @param size   bytes
 */
public record MmapArea(long offset, long size) {
    public MmapArea {
        if (offset < 0 || size <= 0) {
            throw new IllegalArgumentException("bad mmap area: offset " + offset + ", size " + size);
        }
    }

    public long end() {
        return offset + size;
    }
}
