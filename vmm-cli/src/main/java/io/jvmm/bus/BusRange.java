package io.jvmm.bus;

import io.jvmm.spi.BusDevice;

import java.util.Objects;

/**
 * One registered range of a {@link Bus}.
 *
 * @param base   first address
 * @param length number of addresses, at least 1
 * @param device what accesses inside the range reach
 */
public record BusRange(long base, long length, BusDevice device) {
    public BusRange {
        Objects.requireNonNull(device, "device");
        if (length <= 0) {
            throw new BusException("empty bus range at 0x" + Long.toHexString(base) + " (length " + length + ")");
        }
        if (base < 0 || base + length < 0) {
            throw new BusException("bus range out of the address space: base=0x" + Long.toHexString(base)
                    + " length=0x" + Long.toHexString(length));
        }
    }

    /** One past the last address. */
    public long end() {
        return base + length;
    }

    public boolean contains(long address) {
        return address >= base && address - base < length;
    }

    boolean overlaps(BusRange other) {
        return base < other.end() && other.base < end();
    }

    @Override
    public String toString() {
        return "[0x" + Long.toHexString(base) + "-0x" + Long.toHexString(end() - 1) + "] " + device;
    }
}
