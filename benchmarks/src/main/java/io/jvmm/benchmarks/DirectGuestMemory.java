package io.jvmm.benchmarks;

import io.jvmm.spi.GuestMemory;
import io.jvmm.spi.GuestMemoryException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Guest RAM over one direct buffer at guest address 0. The block and net paths hand
 * {@link #slice} views to preadv/pwritev/readv/writev, which need direct buffers, as the VMM's
 * mapped RAM gives them; the test kit's {@code ByteArrayGuestMemory} is heap-backed, so it serves
 * only the queue benchmarks.
 */
public final class DirectGuestMemory implements GuestMemory {
    private final ByteBuffer ram;

    public DirectGuestMemory(int size) {
        ram = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private int at(long gpa, long length) {
        if (!isValid(gpa, length)) {
            throw new GuestMemoryException(gpa, length, "not guest RAM");
        }
        return (int) gpa;
    }

    @Override
    public void read(long gpa, byte[] dst, int offset, int length) {
        ram.get(at(gpa, length), dst, offset, length);
    }

    @Override
    public void write(long gpa, byte[] src, int offset, int length) {
        ram.put(at(gpa, length), src, offset, length);
    }

    @Override
    public byte readByte(long gpa) {
        return ram.get(at(gpa, 1));
    }

    @Override
    public short readShort(long gpa) {
        return ram.getShort(at(gpa, 2));
    }

    @Override
    public int readInt(long gpa) {
        return ram.getInt(at(gpa, 4));
    }

    @Override
    public long readLong(long gpa) {
        return ram.getLong(at(gpa, 8));
    }

    @Override
    public void writeByte(long gpa, byte value) {
        ram.put(at(gpa, 1), value);
    }

    @Override
    public void writeShort(long gpa, short value) {
        ram.putShort(at(gpa, 2), value);
    }

    @Override
    public void writeInt(long gpa, int value) {
        ram.putInt(at(gpa, 4), value);
    }

    @Override
    public void writeLong(long gpa, long value) {
        ram.putLong(at(gpa, 8), value);
    }

    @Override
    public boolean isValid(long gpa, long length) {
        return gpa >= 0 && length >= 0 && gpa <= ram.capacity() - length;
    }

    @Override
    public ByteBuffer slice(long gpa, int length) {
        return ram.slice(at(gpa, length), length).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public long size() {
        return ram.capacity();
    }
}
