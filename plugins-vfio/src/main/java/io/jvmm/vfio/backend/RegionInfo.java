package io.jvmm.vfio.backend;

import java.util.List;

/**
 * One region of a device (struct vfio_region_info and its capability chain).
 *
 * @param index        the region index
 * @param size         bytes; 0 when the device has no such region
 * @param readable     VFIO_REGION_INFO_FLAG_READ
 * @param writable     VFIO_REGION_INFO_FLAG_WRITE
 * @param mappable     VFIO_REGION_INFO_FLAG_MMAP: parts may be mmap'd from {@code fd}
 * @param sparseAreas  the areas of a VFIO_REGION_INFO_CAP_SPARSE_MMAP capability, or null when
 *                     there is none (then the whole region may be mapped)
 * @param msixMappable VFIO_REGION_INFO_CAP_MSIX_MAPPABLE: the MSI-X table and PBA in this region
 *                     may be mapped too (the VMM still traps them to virtualise MSI-X)
 * @param fd           the file descriptor to mmap the region from
 * @param fdOffset     where the region starts in {@code fd}
 */
public record RegionInfo(int index, long size, boolean readable, boolean writable, boolean mappable,
                         List<MmapArea> sparseAreas, boolean msixMappable, int fd, long fdOffset) {
    public RegionInfo {
        sparseAreas = sparseAreas == null ? null : List.copyOf(sparseAreas);
    }

    /** A region the device does not have. */
    public static RegionInfo absent(int index) {
        return new RegionInfo(index, 0, false, false, false, null, false, -1, 0);
    }
}
