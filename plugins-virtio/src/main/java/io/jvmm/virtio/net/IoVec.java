package io.jvmm.virtio.net;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A native {@code struct iovec} array over direct views of guest RAM, so one {@code readv} or
 * {@code writev} moves a frame between the tap and guest buffers without a copy. One per
 * worker, reused; not thread-safe.
 *
 * <p>The array is a direct buffer written with Java's own stores, and the entries for a view
 * are worked out once ({@link #entriesOf}): building the vector for a frame costs no native
 * call. (Through JNA's {@code Memory} every field was a JNI call, and the receive side
 * rebuilds the vector of every posted buffer it holds for each frame.)
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

    IoVec() {
        grow(64);
    }

    /**
     * The iovec entries (address, length pairs) of direct buffers, position to limit, empty ones
     * left out. The caller keeps the buffers reachable while the addresses are in use.
     */
    static long[] entriesOf(ByteBuffer[] buffers) {
        long[] entries = new long[2 * buffers.length];
        int n = 0;
        for (ByteBuffer b : buffers) {
            if (!b.isDirect()) {
                throw new IllegalArgumentException("not a direct buffer: " + b);
            }
            if (b.remaining() > 0) {
                entries[n++] = Pointer.nativeValue(Native.getDirectBufferPointer(b)) + b.position();
                entries[n++] = b.remaining();
            }
        }
        return n == entries.length ? entries : java.util.Arrays.copyOf(entries, n);
    }

    void clear() {
        count = 0;
        bytes = 0;
    }

    /**
     * Appends entries from {@link #entriesOf}; stops quietly at {@link #IOV_MAX} entries.
     *
     * @return false when some did not fit
     */
    boolean add(long[] entries) {
        for (int i = 0; i < entries.length; i += 2) {
            if (count == IOV_MAX) {
                return false;
            }
            if (count == capacity) {
                grow(2 * capacity);
            }
            array.putLong(count * ENTRY, entries[i]);
            array.putLong(count * ENTRY + 8, entries[i + 1]);
            count++;
            bytes += entries[i + 1];
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
