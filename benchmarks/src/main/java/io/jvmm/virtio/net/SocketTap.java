package io.jvmm.virtio.net;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.reflect.Constructor;

/**
 * A {@link Tap} over one end of a non-blocking AF_UNIX SOCK_SEQPACKET socket pair, as {@code
 * NetRxFuzzTest} uses: like a tap it keeps frame boundaries (one readv takes one frame, a
 * frame larger than the buffers is reported whole and truncated), and the benchmark plays the
 * host's network stack on the other end ({@link #peer}). The peer's syscall and copy are part of
 * every measured operation.
 */
final class SocketTap implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_NONBLOCK = 04000;
    private static final int SOCK_CLOEXEC = 02000000;

    private interface C extends Library {
        C LIB = Native.load("c", C.class);

        int socketpair(int domain, int type, int protocol, int[] fds);

        long read(int fd, Pointer buf, long count);

        long write(int fd, Pointer buf, long count);

        int close(int fd);
    }

    final Tap tap;
    final int peer;

    SocketTap() {
        int[] pair = new int[2];
        if (C.LIB.socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0) {
            throw new IllegalStateException("socketpair failed");
        }
        try {
            Constructor<Tap> c = Tap.class.getDeclaredConstructor(String.class, int.class, boolean.class);
            c.setAccessible(true);
            tap = c.newInstance("bench-pair", pair[0], false);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        peer = pair[1];
    }

    /** The host sends one frame ({@code length} bytes, virtio-net header first) to the guest. */
    void send(Memory frame, long length) {
        long n = C.LIB.write(peer, frame, length);
        if (n != length) {
            throw new IllegalStateException("peer write returned " + n);
        }
    }

    /** The host takes one frame the guest sent; returns its length. */
    long receive(Memory into) {
        long n = C.LIB.read(peer, into, into.size());
        if (n <= 0) {
            throw new IllegalStateException("peer read returned " + n + ": the device sent nothing");
        }
        return n;
    }

    @Override
    public void close() {
        tap.close();
        C.LIB.close(peer);
    }
}
