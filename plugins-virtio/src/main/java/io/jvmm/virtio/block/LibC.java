package io.jvmm.virtio.block;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc calls the block device needs (x86-64 Linux), bound by JNA direct mapping with
 * fixed signatures. Every call throws {@link LastErrorException} (carrying errno) on -1.
 * Plain JNA rather than {@link java.nio.channels.FileChannel}: the device needs the raw
 * descriptor for {@code fallocate}, {@code flock} and {@code O_DIRECT}, and {@code preadv}
 * moves a whole scatter-gather request in one call.
 */
final class LibC {
    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    static final int O_RDONLY = 0;
    static final int O_RDWR = 0x2;
    static final int O_DIRECT = 0x4000;
    static final int O_CLOEXEC = 0x80000;
    static final int SEEK_END = 2;
    static final int LOCK_SH = 1;
    static final int LOCK_EX = 2;
    static final int LOCK_NB = 4;
    /** fallocate(2) modes. */
    static final int FALLOC_FL_KEEP_SIZE = 0x01;
    static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    static final int FALLOC_FL_ZERO_RANGE = 0x10;

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EISDIR = 21;
    static final int EINVAL = 22;
    static final int EROFS = 30;
    static final int ENOSYS = 38;
    static final int EOPNOTSUPP = 95;

    static native int open(String path, int flags, int mode) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native long lseek(int fd, long offset, int whence) throws LastErrorException;

    static native long preadv(int fd, Pointer iov, int iovcnt, long offset) throws LastErrorException;

    static native long pwritev(int fd, Pointer iov, int iovcnt, long offset) throws LastErrorException;

    static native long pwrite(int fd, Pointer buf, long count, long offset) throws LastErrorException;

    static native int fdatasync(int fd) throws LastErrorException;

    static native int fallocate(int fd, int mode, long offset, long len) throws LastErrorException;

    static native int flock(int fd, int operation) throws LastErrorException;

    static native String strerror(int errnum);
}
