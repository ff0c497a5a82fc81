package io.jvmm.vm;

import io.jvmm.spi.BusDevice;

/**
 * Registers one region of a multi-region platform device: shifts the bus offset so the device
 * sees offsets from the base of its first region (see PlatformDevice).
 */
record PlatformDeviceAccess(BusDevice device, long shift) implements BusDevice {
    @Override
    public void read(long offset, byte[] data) {
        device.read(offset + shift, data);
    }

    @Override
    public void write(long offset, byte[] data) {
        device.write(offset + shift, data);
    }
}
