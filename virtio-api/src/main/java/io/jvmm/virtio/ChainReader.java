package io.jvmm.virtio;

import io.jvmm.spi.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads the driver-to-device part of a {@link DescriptorChain} in order, across buffer
 * boundaries. Multi-byte values are little-endian (virtio 1.2, 1.4). Asking for more than is
 * left throws {@link BadChainException} and moves nothing.
 */
public final class ChainReader extends ChainCursor {
    ChainReader(GuestMemory memory, long[] addresses, int[] lengths, int first, int end, long total) {
        super(memory, addresses, lengths, first, end, total);
    }

    /** Reads exactly {@code length} bytes into {@code dst[offset..]}. */
    public void read(byte[] dst, int offset, int length) {
        require(length);
        walk(length, (gpa, len, done) -> guard(gpa, len, () -> {
            memory.read(gpa, dst, offset + done, len);
            return null;
        }));
    }

    public void read(byte[] dst) {
        read(dst, 0, dst.length);
    }

    public byte readByte() {
        return scratch(1).get();
    }

    public short readShort() {
        return scratch(2).getShort();
    }

    public int readInt() {
        return scratch(4).getInt();
    }

    public long readLong() {
        return scratch(8).getLong();
    }

    private ByteBuffer scratch(int n) {
        byte[] b = new byte[n];
        read(b);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }
}
