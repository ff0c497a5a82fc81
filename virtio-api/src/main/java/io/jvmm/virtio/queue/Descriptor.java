package io.jvmm.virtio.queue;

import io.jvmm.spi.GuestMemory;

/**
 * One split-ring descriptor as the driver wrote it (virtio 1.2, 2.7.5): 16 bytes, untrusted.
 *
 * @param address guest address of the buffer
 * @param length  buffer length, an unsigned 32-bit value held in a long
 * @param flags   VIRTQ_DESC_F_* bits
 * @param next    index of the next descriptor when {@link #hasNext()}
 */
record Descriptor(long address, long length, int flags, int next) {
    static final int SIZE = 16;
    static final int F_NEXT = 1;
    static final int F_WRITE = 2;
    static final int F_INDIRECT = 4;

    /** Reads the descriptor at {@code gpa}; throws GuestMemoryException when it is not RAM. */
    static Descriptor read(GuestMemory memory, long gpa) {
        byte[] raw = new byte[SIZE];
        memory.read(gpa, raw);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        return new Descriptor(b.getLong(0), b.getInt(8) & 0xffff_ffffL, b.getShort(12) & 0xffff, b.getShort(14) & 0xffff);
    }

    boolean hasNext() {
        return (flags & F_NEXT) != 0;
    }

    boolean writable() {
        return (flags & F_WRITE) != 0;
    }

    boolean indirect() {
        return (flags & F_INDIRECT) != 0;
    }
}
