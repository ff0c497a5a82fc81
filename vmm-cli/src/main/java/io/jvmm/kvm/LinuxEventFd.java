package io.jvmm.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import io.jvmm.spi.EventFd;

/** An eventfd(2): an 8-byte counter the kernel can signal (ioeventfd) or consume (irqfd). */
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
        try (Memory m = new Memory(8)) {
            m.setLong(0, value);
            LibC.write(fd, m, new NativeLong(8));
        } catch (LastErrorException e) {
            throw KvmException.of("write(eventfd)", e);
        }
    }

    @Override
    public long read() {
        try (Memory m = new Memory(8)) {
            while (true) {
                try {
                    LibC.read(fd, m, new NativeLong(8));
                    return m.getLong(0);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != LibC.EINTR) {
                        throw KvmException.of("read(eventfd)", e);
                    }
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
