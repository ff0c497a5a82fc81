package io.jvmm.vm;

import io.jvmm.spi.BusDevice;
import io.jvmm.spi.PciBar;
import io.jvmm.spi.PciDevice;

/** Routes bus accesses inside one BAR to its PCI device. */
record PciBarAccess(PciDevice device, PciBar bar) implements BusDevice {
    @Override
    public void read(long offset, byte[] data) {
        device.readBar(bar, offset, data);
    }

    @Override
    public void write(long offset, byte[] data) {
        device.writeBar(bar, offset, data);
    }
}
