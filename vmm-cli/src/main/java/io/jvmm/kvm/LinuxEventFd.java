package io.jvmm.kvm;

import com.sun.jna.LastErrorException;
import io.jvmm.spi.EventFd;

/**
 * An eventfd(2): an 8-byte counter the kernel can signal (ioeventfd) or consume (irqfd). Read
 * and written once per guest notification and per interrupt, so through a Java array instead
 * of a JNA Memory allocated, registered with JNA's cleaner and freed per call.
 */
public final class LinuxEventFd implements EventFd {
    private final int fd;
    private volatile boolean closed;

    public LinuxEventFd() {
        try {
            this.fd = LibC.eventfd(0, LibC.EFD_CLOEXEC);
        } catch (LastErrorException e) {
            throw KvmException.of("eventfd", e);
        }
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public void write(long value) {
        try {
            LibC.write(fd, new long[] {value}, Long.BYTES);
        } catch (LastErrorException e) {
            throw KvmException.of("write(eventfd)", e);
        }
    }

    @Override
    public long read() {
        long[] value = new long[1];
        while (true) {
            try {
                LibC.read(fd, value, Long.BYTES);
                return value[0];
            } catch (LastErrorException e) {
                if (e.getErrorCode() != LibC.EINTR) {
                    throw KvmException.of("read(eventfd)", e);
                }
            }
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Fds.closeQuietly(fd);
        }
    }
}
