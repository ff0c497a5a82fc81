package io.jvmm.spi;

import java.nio.ByteBuffer;

/**
 * The guest's physical memory as seen by a device. Every access is bounds-checked: an
 * address range that is not entirely guest RAM throws {@link GuestMemoryException} and
 * touches nothing. Accesses that span two adjacent RAM regions are handled here, not by
 * callers. Multi-byte values are little-endian (x86).
 *
 * <p>Guest addresses come from the guest and are never trusted: always go through this
 * interface.
 */
public interface GuestMemory {
    /** Copies {@code length} bytes at {@code gpa} into {@code dst[offset..]}. */
    void read(long gpa, byte[] dst, int offset, int length);

    /** Copies {@code src[offset..offset+length)} to guest address {@code gpa}. */
    void write(long gpa, byte[] src, int offset, int length);

    default void read(long gpa, byte[] dst) {
        read(gpa, dst, 0, dst.length);
    }

    default void write(long gpa, byte[] src) {
        write(gpa, src, 0, src.length);
    }

    byte readByte(long gpa);

    short readShort(long gpa);

    int readInt(long gpa);

    long readLong(long gpa);

    void writeByte(long gpa, byte value);

    void writeShort(long gpa, short value);

    void writeInt(long gpa, int value);

    void writeLong(long gpa, long value);

    /** True when {@code [gpa, gpa+length)} is entirely guest RAM. */
    boolean isValid(long gpa, long length);

    /**
     * A direct view of {@code [gpa, gpa+length)} for zero-copy I/O (e.g. a file read straight
     * into guest RAM). The range must lie within one RAM region.
     *
     * @throws GuestMemoryException when the range is not RAM or spans regions
     */
    ByteBuffer slice(long gpa, int length);

    /** Total bytes of guest RAM. */
    long size();
}
