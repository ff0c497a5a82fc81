package io.jvmm.virtio.block;

import io.jvmm.spi.GuestMemory;
import io.jvmm.spi.GuestMemoryException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Guest RAM for device tests without KVM: one region at guest address 0 over a direct
 * buffer, so {@link #slice} hands out views that native I/O can use, as the VMM's does.
 * Shared by the block, net and console tests.
 */
public final class TestMemory implements GuestMemory {
    private final ByteBuffer ram;

    public TestMemory(int size) {
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
        // Not gpa + length: near 2^63 that wraps negative and a buffer far outside RAM would pass.
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

    public byte[] bytes(long gpa, int length) {
        byte[] b = new byte[length];
        read(gpa, b);
        return b;
    }
}
