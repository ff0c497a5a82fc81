package io.jvmm.spi;

import java.util.List;

/**
 * A device at fixed addresses of the port-I/O or MMIO space (not on PCI).
 *
 * <p>{@link #read} and {@link #write} receive the offset from the base of the <em>first</em>
 * region in {@link #regions()}, so a device with several ranges (the i8042 at 0x60 and 0x64)
 * tells them apart by offset (0 and 4).
 */
public interface PlatformDevice extends Device, BusDevice {
    /** The ranges this device claims. Overlap with another device's range is a start-up error. */
    List<BusRegion> regions();
}
