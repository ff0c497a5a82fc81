package io.jvmm.virtio.block;

import io.jvmm.virtio.ChainBuffer;
import io.jvmm.virtio.DescriptorChain;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds descriptor chains in {@link TestMemory} the way a driver would: buffers are carved
 * from guest RAM in order (aligned to {@code align}), readable ones filled with the given bytes.
 */
public final class Chains {
    private final TestMemory memory;
    private final int align;
    private long next;
    private int head;
    private final List<ChainBuffer> buffers = new ArrayList<>();

    public Chains(TestMemory memory, long start, int align) {
        this.memory = memory;
        this.next = start;
        this.align = align;
    }

    /** Adds a readable buffer holding {@code bytes}; returns its guest address. */
    public long out(byte[] bytes) {
        long at = alloc(bytes.length);
        memory.write(at, bytes);
        buffers.add(new ChainBuffer(at, bytes.length, false));
        return at;
    }

    /** Adds a writable buffer of {@code length} bytes (filled with 0xEE); returns its guest address. */
    public long in(int length) {
        long at = alloc(length);
        byte[] fill = new byte[length];
        java.util.Arrays.fill(fill, (byte) 0xEE);
        memory.write(at, fill);
        buffers.add(new ChainBuffer(at, length, true));
        return at;
    }

    /** Adds a buffer at an explicit address (e.g. outside guest RAM). */
    public void raw(long address, int length, boolean writable) {
        buffers.add(new ChainBuffer(address, length, writable));
    }

    /** The chain built so far; the builder starts a new one. */
    public DescriptorChain chain() {
        DescriptorChain c = new DescriptorChain(memory, head++, List.copyOf(buffers));
        buffers.clear();
        return c;
    }

    private long alloc(int length) {
        long at = (next + align - 1) / align * align;
        next = at + Math.max(length, 1);
        return at;
    }

    /** A 16-byte virtio-blk request header. */
    public static byte[] blkHeader(int type, long sector) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(type).putInt(0).putLong(sector).array();
    }

    /** A virtio_blk_discard_write_zeroes range. */
    public static byte[] range(long sector, int sectors, int flags) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(sector).putInt(sectors).putInt(flags).array();
    }
}
