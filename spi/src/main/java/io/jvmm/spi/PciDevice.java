package io.jvmm.spi;

import java.util.List;

/**
 * A PCI function on the VMM's root bus. The VMM owns the bus/device/function number
 * and routes config-space accesses and accesses to the function's BARs here.
 */
public interface PciDevice extends Device {
    /** Reads the 32-bit config register {@code reg} (byte offset {@code reg * 4}, 0..1023). */
    int readConfigRegister(int reg);

    /**
     * Writes {@code data} (1, 2 or 4 bytes, little-endian) at byte {@code offset} (0..3)
     * inside config register {@code reg}.
     *
     * @return a BAR that moved because of this write (the guest reprogrammed it), or null
     */
    BarReprogram writeConfigRegister(int reg, int offset, byte[] data);

    /**
     * Places the device's BARs. Called once before the guest runs; the returned list is
     * what the VMM registers on its buses.
     */
    List<PciBar> allocateBars(PciBarAllocator allocator);

    /**
     * The VMM moved {@code bar} (as it was placed) to {@code newBase} after a guest reprogram.
     * Since SPI 2; the default calls the SPI 1 form so older plugins keep working.
     */
    default void moveBar(PciBar bar, long newBase) {
        moveBar(bar.address(), newBase);
    }

    /**
     * The SPI 1 form of {@link #moveBar(PciBar, long)}, which does not say which BAR moved.
     *
     * @deprecated implement {@link #moveBar(PciBar, long)}; jvmm calls only that one
     */
    @Deprecated
    default void moveBar(long oldBase, long newBase) {
    }

    /**
     * Where this device's BARs are after {@link Snapshottable#restoreState}, when that is not
     * where {@link #allocateBars} put them: a snapshot taken after the guest moved a BAR
     * restores it at the moved address, and the VMM places it there (reserving it with
     * {@link PciBarAllocator#allocateAt}). The default, null, means "where allocateBars put
     * them". Since SPI 2.
     */
    default List<PciBar> restoredBars() {
        return null;
    }

    /** A guest read at {@code offset} inside BAR {@code bar}. */
    void readBar(PciBar bar, long offset, byte[] data);

    /** A guest write at {@code offset} inside BAR {@code bar}. */
    void writeBar(PciBar bar, long offset, byte[] data);

    /**
     * A BAR the guest moved by writing its base address register.
     *
     * @param bar the BAR at its old place
     * @param newAddress where the guest put it
     */
    record BarReprogram(PciBar bar, long newAddress) {
    }
}
