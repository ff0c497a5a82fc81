package io.jvmm.pci;

import io.jvmm.spi.PciBar;
import io.jvmm.spi.PciDevice;

/**
 * Moves a BAR's range on the VM's port-I/O or MMIO bus after the guest reprogrammed it,
 * then tells the device through {@link PciDevice#moveBar}. The VM implements this;
 * {@link PciRoot} calls it from the vCPU thread that wrote the BAR.
 */
@FunctionalInterface
public interface BarRelocator {
    /**
     * Moves {@code oldBar} (at its old address) to {@code newAddress} and calls
     * {@code device.moveBar(oldBar.address(), newAddress)}. Throws (e.g. a
     * {@code BusException} on overlap) when the move cannot be made, before telling the
     * device; {@link PciRoot} logs it and the guest's access goes on.
     */
    void relocate(PciDevice device, PciBar oldBar, long newAddress);
}
