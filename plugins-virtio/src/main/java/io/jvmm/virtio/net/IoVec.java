package io.jvmm.virtio.net;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A native {@code struct iovec} array over direct views of guest RAM, so one {@code readv} or
 * {@code writev} moves a frame between the tap and guest buffers without a copy. One per
 * worker, reused; not thread-safe.
 */
final class IoVec {
    /** Linux's IOV_MAX. */
    static final int IOV_MAX = 1024;
    private static final int ENTRY = 16;

    private Memory array = new Memory(64L * ENTRY);
    private int capacity = 64;
    private int count;
    private long bytes;
    /** The views must stay reachable while the kernel uses their addresses. */
    private final List<ByteBuffer[]> views = new ArrayList<>();

    void clear() {
        count = 0;
        bytes = 0;
        views.clear();
    }

    /**
     * Appends direct buffers (position to limit); stops quietly at {@link #IOV_MAX} entries.
     *
     * @return false when some did not fit
     */
    boolean add(ByteBuffer[] buffers) {
        views.add(buffers);
        for (ByteBuffer b : buffers) {
            if (b.remaining() == 0) {
                continue;
            }
            if (count == IOV_MAX) {
                return false;
            }
            if (!b.isDirect()) {
                throw new IllegalArgumentException("not a direct buffer: " + b);
            }
            if (count == capacity) {
                Memory bigger = new Memory(2L * capacity * ENTRY);
                bigger.write(0, array.getByteArray(0, capacity * ENTRY), 0, capacity * ENTRY);
                array = bigger;
                capacity *= 2;
            }
            array.setLong((long) count * ENTRY, Pointer.nativeValue(Native.getDirectBufferPointer(b)) + b.position());
            array.setLong((long) count * ENTRY + 8, b.remaining());
            count++;
            bytes += b.remaining();
        }
        return true;
    }

    Pointer pointer() {
        return array;
    }

    int count() {
        return count;
    }

    long bytes() {
        return bytes;
    }

    /** Keeps the views reachable until the native call that uses them has returned. */
    void keepAlive() {
        java.lang.ref.Reference.reachabilityFence(views);
    }
}
