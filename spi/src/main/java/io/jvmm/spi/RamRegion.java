package io.jvmm.spi;

/**
 * A contiguous range of guest RAM and where it lives in the VMM's address space.
 *
 * @param guestAddress first guest-physical address
 * @param size         bytes
 * @param hostAddress  the VMM's virtual address of the first byte (for DMA mapping, e.g.
 *                     VFIO_IOMMU_MAP_DMA)
 */
public record RamRegion(long guestAddress, long size, long hostAddress) {
    public long guestEnd() {
        return guestAddress + size;
    }
}
