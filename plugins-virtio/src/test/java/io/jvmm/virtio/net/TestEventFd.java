package io.jvmm.virtio.net;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import io.jvmm.spi.EventFd;

/** A real Linux eventfd for queue notifiers in tests. */
final class TestEventFd implements EventFd {
    private interface C extends Library {
        C LIB = Native.load(Platform.C_LIBRARY_NAME, C.class);

        int eventfd(int initval, int flags) throws LastErrorException;

        long read(int fd, long[] buf, long count) throws LastErrorException;

        long write(int fd, long[] buf, long count) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private final int fd = C.LIB.eventfd(0, 0x80000);

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public void write(long value) {
        C.LIB.write(fd, new long[] {value}, 8);
    }

    @Override
    public long read() {
        long[] v = new long[1];
        C.LIB.read(fd, v, 8);
        return v[0];
    }

    @Override
    public void close() {
        C.LIB.close(fd);
    }
}
