package io.jvmm.testkit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Fuzz input read front to back, little-endian like the rings it usually fills, so that a
 * seed is a file one can write by hand (a header, a descriptor table, ...). Reads past the
 * end give zeros: every input is a complete one.
 */
public final class FuzzBytes {
    private final ByteBuffer in;

    public FuzzBytes(byte[] bytes) {
        this.in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    public int remaining() {
        return in.remaining();
    }

    public int u8() {
        return in.remaining() >= 1 ? in.get() & 0xff : 0;
    }

    public int u16() {
        return in.remaining() >= 2 ? in.getShort() & 0xffff : 0;
    }

    public int u32() {
        return in.remaining() >= 4 ? in.getInt() : 0;
    }

    public long u64() {
        return in.remaining() >= 8 ? in.getLong() : 0;
    }

    /** Up to {@code n} bytes (fewer at the end of the input). */
    public byte[] bytes(int n) {
        byte[] b = new byte[Math.min(n, in.remaining())];
        in.get(b);
        return b;
    }
}
