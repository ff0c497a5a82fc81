package io.jvmm.testkit;

import io.jvmm.spi.PciBar;
import io.jvmm.spi.PciBarAllocator;

/** Naturally aligned BAR placement from fixed windows, like the VMM's. */
public final class TestBarAllocator implements PciBarAllocator {
    private long next32 = 0xc000_0000L;
    private long next64 = 0x1_0000_0000L;

    @Override
    public long allocate(PciBar.Type type, long size) {
        if (type == PciBar.Type.MMIO64) {
            next64 = (next64 + size - 1) & -size;
            long at = next64;
            next64 += size;
            return at;
        }
        next32 = (next32 + size - 1) & -size;
        long at = next32;
        next32 += size;
        return at;
    }

    @Override
    public long allocateAt(PciBar.Type type, long address, long size) {
        return address;
    }

    @Override
    public void free(PciBar.Type type, long address, long size) {
    }
}
