package io.jvmm.virtio.block;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * A native {@code struct iovec} array over direct buffers (guest RAM views from
 * {@link io.jvmm.virtio.ChainReader#slices}), so one {@code preadv}/{@code pwritev} moves a
 * whole scatter-gather request between the image and guest memory without a copy. One
 * instance per worker, reused across requests; not thread-safe.
 */
final class IoVec {
    /** Linux's IOV_MAX: the most entries one preadv/pwritev accepts. */
    static final int IOV_MAX = 1024;
    private static final int ENTRY = 16;

    private Memory array;
    private int capacity;
    private int first;
    private int count;
    private long bytes;
    /** The views must stay reachable while the kernel uses their addresses. */
    private ByteBuffer[] views = new ByteBuffer[0];

    IoVec() {
        grow(64);
    }

    /** Points the vector at {@code buffers} (direct buffers only), from each one's position to its limit. */
    IoVec set(ByteBuffer[] buffers) {
        if (buffers.length > capacity) {
            grow(Integer.highestOneBit(buffers.length) << 1);
        }
        first = 0;
        count = 0;
        bytes = 0;
        views = buffers;
        for (ByteBuffer b : buffers) {
            if (!b.isDirect()) {
                throw new IllegalArgumentException("not a direct buffer: " + b);
            }
            if (b.remaining() == 0) {
                continue;
            }
            long base = Pointer.nativeValue(Native.getDirectBufferPointer(b)) + b.position();
            array.setLong((long) count * ENTRY, base);
            array.setLong((long) count * ENTRY + 8, b.remaining());
            count++;
            bytes += b.remaining();
        }
        return this;
    }

    /** Bytes still to move. */
    long bytes() {
        return bytes;
    }

    /** Entries still to move. */
    int count() {
        return count - first;
    }

    /** The first entry still to move. */
    Pointer pointer() {
        return array.share((long) first * ENTRY);
    }

    /** True when every remaining entry's address and length are multiples of {@code alignment}. */
    boolean aligned(int alignment) {
        for (int i = first; i < count; i++) {
            if ((array.getLong((long) i * ENTRY) | array.getLong((long) i * ENTRY + 8)) % alignment != 0) {
                return false;
            }
        }
        return true;
    }

    /** Drops the first {@code n} bytes after a short transfer. */
    void consume(long n) {
        bytes -= n;
        while (n > 0 && first < count) {
            long at = (long) first * ENTRY;
            long len = array.getLong(at + 8);
            if (n >= len) {
                n -= len;
                first++;
            } else {
                array.setLong(at, array.getLong(at) + n);
                array.setLong(at + 8, len - n);
                n = 0;
            }
        }
    }

    /** Keeps the views reachable until the native call that uses them has returned. */
    void keepAlive() {
        java.lang.ref.Reference.reachabilityFence(views);
    }

    private void grow(int entries) {
        array = new Memory((long) entries * ENTRY);
        capacity = entries;
    }
}
