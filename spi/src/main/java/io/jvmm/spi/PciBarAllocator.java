package io.jvmm.spi;

/**
 * Hands out guest address space for BARs. Addresses are aligned to the requested size
 * (PCI Local Bus 3.0, section 6.2.5.1: a BAR is naturally aligned).
 */
public interface PciBarAllocator {
    /**
     * Reserves {@code size} bytes of the space that {@code type} names.
     *
     * @throws IllegalStateException when that space is exhausted
     */
    long allocate(PciBar.Type type, long size);

    /**
     * Reserves {@code size} bytes at exactly {@code address}, e.g. to put a BAR back where a
     * snapshot says the guest had moved it. Since SPI 2.
     *
     * @throws IllegalStateException when that range is not free, not aligned, or outside the space
     */
    long allocateAt(PciBar.Type type, long address, long size);

    /** Gives back a range obtained from {@link #allocate} or {@link #allocateAt}. */
    void free(PciBar.Type type, long address, long size);
}
