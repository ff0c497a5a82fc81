package io.jvmm.spi;

import java.util.List;

/** A device at fixed addresses of the port-I/O or MMIO space (not on PCI). */
public interface PlatformDevice extends Device, BusDevice {
    /** The ranges this device claims. Overlap with another device's range is a start-up error. */
    List<BusRegion> regions();
}
