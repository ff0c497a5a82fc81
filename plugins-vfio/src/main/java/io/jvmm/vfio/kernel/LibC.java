package io.jvmm.vfio.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc calls the VFIO bindings need, by JNA direct mapping. ioctl is variadic in C;
 * direct mapping needs fixed signatures, so it is declared once per argument kind. A call
 * that returns -1 throws {@link LastErrorException} carrying errno.
 */
final class LibC {
    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    static final int O_RDWR = 0x2;
    static final int O_CLOEXEC = 0x80000;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EPERM = 1;
    static final int EBUSY = 16;
    static final int EINVAL = 22;
    /** RLIMIT_MEMLOCK from asm-generic/resource.h. */
    static final int RLIMIT_MEMLOCK = 8;

    static native int open(String path, int flags) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native int ioctl(int fd, NativeLong request, long arg) throws LastErrorException;

    static native int ioctl(int fd, NativeLong request, Pointer arg) throws LastErrorException;

    static native NativeLong pread(int fd, byte[] buf, NativeLong count, long offset) throws LastErrorException;

    static native NativeLong pwrite(int fd, byte[] buf, NativeLong count, long offset) throws LastErrorException;

    /** struct rlimit { rlim_t cur; rlim_t max; } with 64-bit rlim_t on x86_64. */
    static native int getrlimit(int resource, long[] rlimit) throws LastErrorException;

    static native String strerror(int errnum);

    static void closeQuietly(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            close(fd);
        } catch (LastErrorException ignored) {
            // Nothing useful to do when close fails at teardown.
        }
    }
}
