package io.jvmm.examples.pvpanic;

import io.jvmm.spi.PciBar;
import io.jvmm.spi.PciBarAllocator;
import io.jvmm.spi.PciDevice;
import io.jvmm.spi.PciHeader;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pvpanic-pci device (QEMU docs/specs/pvpanic.rst; Linux's pvpanic-pci driver binds to it):
 * the guest reads which events are supported and writes one when it panics. Start from here:
 * the config space is {@link PciHeader}'s job, the device only answers its BAR.
 */
public final class PanicDevice implements PciDevice {
    static final int PVPANIC_PANICKED = 1;
    static final int PVPANIC_CRASH_LOADED = 2;

    private final String id;
    private final PciHeader header = PciHeader.builder(0x1b36, 0x0011) // Red Hat, pvpanic
            .classCode(0x08, 0x80, 0x00) // other system peripheral
            .memoryBar(0, 16, false)
            .build();
    private final AtomicInteger events = new AtomicInteger();
    private final Runnable onPanic;

    PanicDevice(String id, Runnable onPanic) {
        this.id = id;
        this.onPanic = onPanic;
    }

    /** The events the guest reported, as PVPANIC_* bits. */
    int events() {
        return events.get();
    }

    @Override
    public String id() {
        return id;
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
        // The guest controls offset and length: answer byte 0, zeros elsewhere, never throw.
        java.util.Arrays.fill(data, (byte) 0);
        if (offset == 0 && data.length > 0) {
            data[0] = PVPANIC_PANICKED | PVPANIC_CRASH_LOADED;
        }
    }

    @Override
    public void writeBar(PciBar bar, long offset, byte[] data) {
        if (offset == 0 && data.length > 0 && (data[0] & PVPANIC_PANICKED) != 0) {
            events.accumulateAndGet(PVPANIC_PANICKED, (a, b) -> a | b);
            onPanic.run();
        } else if (offset == 0 && data.length > 0 && (data[0] & PVPANIC_CRASH_LOADED) != 0) {
            events.accumulateAndGet(PVPANIC_CRASH_LOADED, (a, b) -> a | b);
        }
    }

    @Override
    public void close() {
    }
}
