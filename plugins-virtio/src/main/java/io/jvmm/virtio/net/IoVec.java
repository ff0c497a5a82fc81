package io.jvmm.virtio.net;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A native {@code struct iovec} array over direct views of guest RAM, so one {@code readv} or
 * {@code writev} moves a frame between the tap and guest buffers without a copy. One per
 * worker, reused; not thread-safe. The array is a direct buffer written with Java's own stores:
 * through JNA's {@code Memory} each field of each entry was a JNI call.
 */
final class IoVec {
    /** Linux's IOV_MAX. */
    static final int IOV_MAX = 1024;
    private static final int ENTRY = 16;

    private ByteBuffer array;
    private Pointer pointer;
    private int capacity;
    private int count;
    private long bytes;
    /** The views must stay reachable while the kernel uses their addresses. */
    private final List<ByteBuffer[]> views = new ArrayList<>();

    IoVec() {
        grow(64);
    }

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
                grow(2 * capacity);
            }
            array.putLong(count * ENTRY, Pointer.nativeValue(Native.getDirectBufferPointer(b)) + b.position());
            array.putLong(count * ENTRY + 8, b.remaining());
            count++;
            bytes += b.remaining();
        }
        return true;
    }

    Pointer pointer() {
        return pointer;
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

    /** A larger array with the entries so far. */
    private void grow(int entries) {
        ByteBuffer bigger = ByteBuffer.allocateDirect(entries * ENTRY).order(ByteOrder.nativeOrder());
        if (array != null) {
            bigger.put(0, array, 0, count * ENTRY);
        }
        array = bigger;
        pointer = Native.getDirectBufferPointer(bigger);
        capacity = entries;
    }
}
