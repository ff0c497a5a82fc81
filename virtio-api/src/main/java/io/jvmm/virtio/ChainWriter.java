package io.jvmm.virtio;

import io.jvmm.spi.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Fills the device-to-driver part of a {@link DescriptorChain} in order, across buffer
 * boundaries; {@link #written()} is what to pass to {@link VirtioQueue#addUsed}. Multi-byte
 * values are little-endian. Writing past the end throws {@link BadChainException} and writes
 * nothing.
 */
public final class ChainWriter extends ChainCursor {
    ChainWriter(GuestMemory memory, long[] addresses, int[] lengths, int first, int end, long total) {
        super(memory, addresses, lengths, first, end, total);
    }

    /** Bytes written (or skipped, or handed out as slices) so far. */
    public int written() {
        return (int) position();
    }

    public void write(byte[] src, int offset, int length) {
        require(length);
        walk(length, (gpa, len, done) -> guard(gpa, len, () -> {
            memory.write(gpa, src, offset + done, len);
            return null;
        }));
    }

    public void write(byte[] src) {
        write(src, 0, src.length);
    }

    public void writeByte(byte v) {
        write(new byte[] {v});
    }

    public void writeShort(short v) {
        write(le(2).putShort(v).array());
    }

    public void writeInt(int v) {
        write(le(4).putInt(v).array());
    }

    public void writeLong(long v) {
        write(le(8).putLong(v).array());
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
