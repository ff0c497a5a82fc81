package io.jvmm.virtio.net;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * poll(2) on a small fixed set of descriptors, for a worker that waits on the tap and a queue's
 * notifier. The {@code struct pollfd} array is a direct buffer set with Java's own stores (no
 * JNI call per field, as through JNA's {@code Memory}).
 */
final class Poller {
    private static final int ENTRY = 8;
    private final ByteBuffer fds;
    private final Pointer pointer;
    private final int count;

    Poller(int... fdList) {
        count = fdList.length;
        fds = ByteBuffer.allocateDirect(count * ENTRY).order(ByteOrder.nativeOrder());
        pointer = Native.getDirectBufferPointer(fds);
        for (int i = 0; i < count; i++) {
            fds.putInt(i * ENTRY, fdList[i]);
        }
    }

    /** Sets which events to wait for on descriptor {@code i} (0 = ignore it). */
    void want(int i, short events) {
        fds.putShort(i * ENTRY + 4, events);
    }

    /** Blocks until one of the wanted events (or an error) happens, or {@code timeoutMs} passes (-1: no limit). */
    void await(int timeoutMs) {
        for (int i = 0; i < count; i++) {
            fds.putShort(i * ENTRY + 6, (short) 0);
        }
        while (true) {
            try {
                LibC.poll(pointer, count, timeoutMs);
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != LibC.EINTR) {
                    throw new IllegalStateException("poll: " + LibC.strerror(e.getErrorCode()), e);
                }
            }
        }
    }

    /** Whether descriptor {@code i} reported anything in the last {@link #await()}. */
    boolean ready(int i) {
        return fds.getShort(i * ENTRY + 6) != 0;
    }
}
