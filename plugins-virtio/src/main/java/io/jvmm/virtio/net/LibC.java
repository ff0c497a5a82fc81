package io.jvmm.virtio.net;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc calls the tap backend needs (x86-64 Linux), bound by JNA direct mapping. ioctl is
 * variadic in C; direct mapping needs fixed signatures, so it is declared once per argument
 * kind. Every call throws {@link LastErrorException} (carrying errno) when it returns -1.
 */
final class LibC {
    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    static final int O_RDWR = 0x2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int EFD_CLOEXEC = 0x80000;
    static final short POLLIN = 0x1;

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int ENXIO = 6;
    static final int EIO = 5;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EFAULT = 14;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int EINVAL = 22;

    static native int open(String path, int flags) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native int ioctl(int fd, NativeLong request, Pointer arg) throws LastErrorException;

    static native int ioctl(int fd, NativeLong request, long arg) throws LastErrorException;

    static native long readv(int fd, Pointer iov, int iovcnt) throws LastErrorException;

    static native long writev(int fd, Pointer iov, int iovcnt) throws LastErrorException;

    static native int poll(Pointer fds, long nfds, int timeout) throws LastErrorException;

    static native String strerror(int errnum);

    /**
     * Calls that return -1 and leave errno to {@link Native#getLastError()} instead of throwing,
     * for a failure that is routine on a hot path (EAGAIN from a non-blocking read).
     */
    static final class Quiet {
        static {
            Native.register(Platform.C_LIBRARY_NAME);
        }

        private Quiet() {
        }

        static native long read(int fd, Pointer buf, long count);
    }
}
