package io.jvmm.spi;

/**
 * A range of an address space claimed by a {@link PlatformDevice}.
 *
 * @param space port I/O or MMIO
 * @param base  first address
 * @param length number of bytes, at least 1
 */
public record BusRegion(AddressSpace space, long base, long length) {
    public enum AddressSpace { PIO, MMIO }

    public BusRegion {
        if (length <= 0) {
            throw new IllegalArgumentException("bus region length must be positive: " + length);
        }
        if (base < 0 || base + length < base) {
            throw new IllegalArgumentException("bus region out of range: base=0x" + Long.toHexString(base));
        }
        if (space == AddressSpace.PIO && base + length > 0x10000) {
            throw new IllegalArgumentException("port-I/O region beyond 0xffff: 0x" + Long.toHexString(base));
        }
    }

    public long end() {
        return base + length;
    }

    public boolean contains(long address) {
        return address >= base && address - base < length;
    }

    @Override
    public String toString() {
        return space + "[0x" + Long.toHexString(base) + "-0x" + Long.toHexString(end() - 1) + "]";
    }
}
