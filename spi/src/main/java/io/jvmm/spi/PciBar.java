package io.jvmm.spi;

/**
 * A base address register of a {@link PciDevice} as placed in guest address space.
 *
 * @param index   BAR number 0-5, or 6 for the expansion ROM
 * @param address guest address (port number for I/O BARs)
 * @param size    size in bytes, a power of two
 * @param type    what kind of space the BAR decodes
 * @param prefetchable the prefetchable bit of a memory BAR
 */
public record PciBar(int index, long address, long size, Type type, boolean prefetchable) {
    public enum Type { IO, MMIO32, MMIO64 }

    public static final int ROM_INDEX = 6;

    public PciBar {
        if (index < 0 || index > ROM_INDEX) {
            throw new IllegalArgumentException("BAR index out of range: " + index);
        }
        if (size <= 0 || Long.bitCount(size) != 1) {
            throw new IllegalArgumentException("BAR size must be a power of two: " + size);
        }
    }
}
