package io.jvmm.pci;

import io.jvmm.spi.PciBar;
import io.jvmm.spi.PciBarAllocator;
import io.jvmm.spi.PciDevice;
import io.jvmm.spi.PciHeader;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * QEMU's pvpanic-pci (docs/specs/pvpanic.rst) written as a plugin author would with the SPI's
 * {@link PciHeader}: the whole device is its identity, one BAR and one byte of function.
 * Reading the register tells the guest which events are supported; writing reports one.
 */
final class PvpanicPciDevice implements PciDevice {
    static final int PVPANIC_PANICKED = 1;
    static final int PVPANIC_CRASH_LOADED = 2;

    private final PciHeader header = PciHeader.builder(0x1b36, 0x0011) // Red Hat, pvpanic
            .classCode(0x08, 0x80, 0x00) // other system peripheral
            .memoryBar(0, 16, false)
            .build();
    final AtomicInteger events = new AtomicInteger();

    @Override
    public String id() {
        return "pvpanic";
    }

    @Override
    public int readConfigRegister(int reg) {
        return header.readRegister(reg);
    }

    @Override
    public BarReprogram writeConfigRegister(int reg, int offset, byte[] data) {
        return header.write(reg, offset, data);
    }

    @Override
    public List<PciBar> allocateBars(PciBarAllocator allocator) {
        return header.allocateBars(allocator);
    }

    @Override
    public void moveBar(PciBar bar, long newBase) {
        header.barMoved(bar, newBase);
    }

    @Override
    public void readBar(PciBar bar, long offset, byte[] data) {
        data[0] = (byte) (offset == 0 ? PVPANIC_PANICKED | PVPANIC_CRASH_LOADED : 0);
    }

    @Override
    public void writeBar(PciBar bar, long offset, byte[] data) {
        if (offset == 0) {
            events.accumulateAndGet(data[0] & (PVPANIC_PANICKED | PVPANIC_CRASH_LOADED), (a, b) -> a | b);
        }
    }

    @Override
    public void close() {
    }
}
