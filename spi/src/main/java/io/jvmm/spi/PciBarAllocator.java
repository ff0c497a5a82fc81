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

    /** Gives back a range obtained from {@link #allocate}. */
    void free(PciBar.Type type, long address, long size);
}
