package io.jvmm.vfio.pci;

import io.jvmm.spi.PciBar;

/**
 * A BAR of the passed-through device as found by {@link BarProbe}: what the guest must be
 * given, before any guest address is chosen.
 *
 * @param index        BAR 0-5, or {@link PciBar#ROM_INDEX} for the expansion ROM; also the VFIO region index
 * @param type         I/O, 32-bit or 64-bit memory (the ROM is 32-bit memory)
 * @param prefetchable the prefetchable bit of a memory BAR
 * @param size         a power of two
 */
public record BarSpec(int index, PciBar.Type type, boolean prefetchable, long size) {
    public BarSpec {
        if (size <= 0 || Long.bitCount(size) != 1) {
            throw new IllegalArgumentException("BAR size must be a power of two: " + size);
        }
    }

    public boolean isRom() {
        return index == PciBar.ROM_INDEX;
    }

    /** The flag bits a BAR register shows in its low bits (PCI Local Bus 3.0, 6.2.5.1). */
    int flagBits() {
        if (isRom()) {
            return 0;
        }
        return switch (type) {
            case IO -> PciRegs.BAR_IO;
            case MMIO32 -> prefetchable ? PciRegs.BAR_PREFETCHABLE : 0;
            case MMIO64 -> PciRegs.BAR_MEM_64 | (prefetchable ? PciRegs.BAR_PREFETCHABLE : 0);
        };
    }
}
