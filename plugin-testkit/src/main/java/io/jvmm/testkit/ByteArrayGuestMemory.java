package io.jvmm.testkit;

import io.jvmm.spi.GuestMemory;
import io.jvmm.spi.GuestMemoryException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Guest RAM for tests: one region {@code [base, base + size)} over a byte array, bounds-checked
 * like the VMM's. 16-, 32- and 64-bit accesses are volatile so a test driver and a device
 * worker see each other's ring updates. Counts accesses outside RAM that were refused.
 */
public final class ByteArrayGuestMemory implements GuestMemory {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final long base;
    private final byte[] bytes;
    private volatile int refused;

    public ByteArrayGuestMemory(long base, int size) {
        this.base = base;
        this.bytes = new byte[size];
    }

    public ByteArrayGuestMemory(int size) {
        this(0, size);
    }

    public long base() {
        return base;
    }

    /** How many accesses were refused because they left guest RAM. */
    public int refusedAccesses() {
        return refused;
    }

    private int at(long gpa, long length) {
        if (!isValid(gpa, length)) {
            refused++;
            throw new GuestMemoryException(gpa, length, "not guest RAM");
        }
        return (int) (gpa - base);
    }

    @Override
    public boolean isValid(long gpa, long length) {
        return length >= 0 && gpa >= base && gpa - base <= bytes.length && length <= bytes.length - (gpa - base);
    }

    @Override
    public void read(long gpa, byte[] dst, int offset, int length) {
        System.arraycopy(bytes, at(gpa, length), dst, offset, length);
        VarHandle.acquireFence();
    }

    @Override
    public void write(long gpa, byte[] src, int offset, int length) {
        VarHandle.releaseFence();
        System.arraycopy(src, offset, bytes, at(gpa, length), length);
    }

    @Override
    public byte readByte(long gpa) {
        return bytes[at(gpa, 1)];
    }

    @Override
    public short readShort(long gpa) {
        return (short) SHORT.getVolatile(bytes, at(gpa, 2));
    }

    @Override
    public int readInt(long gpa) {
        return (int) INT.getVolatile(bytes, at(gpa, 4));
    }

    @Override
    public long readLong(long gpa) {
        return (long) LONG.getVolatile(bytes, at(gpa, 8));
    }

    @Override
    public void writeByte(long gpa, byte value) {
        bytes[at(gpa, 1)] = value;
    }

    @Override
    public void writeShort(long gpa, short value) {
        SHORT.setVolatile(bytes, at(gpa, 2), value);
    }

    @Override
    public void writeInt(long gpa, int value) {
        INT.setVolatile(bytes, at(gpa, 4), value);
    }

    @Override
    public void writeLong(long gpa, long value) {
        LONG.setVolatile(bytes, at(gpa, 8), value);
    }

    @Override
    public ByteBuffer slice(long gpa, int length) {
        return ByteBuffer.wrap(bytes, at(gpa, length), length).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public long size() {
        return bytes.length;
    }
}
