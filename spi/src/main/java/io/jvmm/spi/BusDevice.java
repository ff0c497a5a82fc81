package io.jvmm.spi;

/**
 * A device reached through a range of the port-I/O or MMIO address space.
 *
 * <p>The VMM calls these from vCPU threads with the offset relative to the start of the
 * range the device was registered at. {@code data.length} is the access width (1, 2, 4
 * or 8 bytes); values are little-endian. Implementations must tolerate any offset and
 * width a guest can produce (ignore or answer all-ones), never throw for guest input.
 */
public interface BusDevice {
    /** Fills {@code data} with the value read at {@code offset}. */
    void read(long offset, byte[] data);

    /** Handles a guest write of {@code data} at {@code offset}. */
    void write(long offset, byte[] data);
}
