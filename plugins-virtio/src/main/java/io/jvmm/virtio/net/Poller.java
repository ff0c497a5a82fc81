package io.jvmm.virtio.net;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

/** poll(2) on a small fixed set of descriptors, for a worker that waits on the tap and a queue's notifier. */
final class Poller {
    private static final int ENTRY = 8;
    private final Memory fds;
    private final int count;

    Poller(int... fdList) {
        count = fdList.length;
        fds = new Memory((long) count * ENTRY);
        fds.clear();
        for (int i = 0; i < count; i++) {
            fds.setInt((long) i * ENTRY, fdList[i]);
        }
    }

    /** Sets which events to wait for on descriptor {@code i} (0 = ignore it). */
    void want(int i, short events) {
        fds.setShort((long) i * ENTRY + 4, events);
    }

    /** Blocks until one of the wanted events (or an error) happens, or {@code timeoutMs} passes (-1: no limit). */
    void await(int timeoutMs) {
        for (int i = 0; i < count; i++) {
            fds.setShort((long) i * ENTRY + 6, (short) 0);
        }
        while (true) {
            try {
                LibC.poll(fds, count, timeoutMs);
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
        return fds.getShort((long) i * ENTRY + 6) != 0;
    }
}
