package io.jvmm.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc calls the VMM needs, bound by JNA direct mapping. ioctl is variadic in C;
 * direct mapping needs fixed signatures, so it is declared once per argument kind.
 * Every call throws {@link LastErrorException} (carrying errno) when it returns -1.
 */
public final class LibC {
    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    public static final int O_RDWR = 0x2;
    public static final int O_CLOEXEC = 0x80000;
    public static final int O_NONBLOCK = 0x800;
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int ENOENT = 2;
    public static final int EACCES = 13;

    public static native int open(String path, int flags) throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;

    public static native int ioctl(int fd, NativeLong request, long arg) throws LastErrorException;

    public static native int ioctl(int fd, NativeLong request, Pointer arg) throws LastErrorException;

    public static native Pointer mmap(Pointer addr, NativeLong length, int prot, int flags, int fd, NativeLong offset)
            throws LastErrorException;

    public static native int munmap(Pointer addr, NativeLong length) throws LastErrorException;

    public static native int eventfd(int initval, int flags) throws LastErrorException;

    public static native NativeLong read(int fd, Pointer buf, NativeLong count) throws LastErrorException;

    public static native NativeLong write(int fd, Pointer buf, NativeLong count) throws LastErrorException;

    /**
     * read(2) and write(2) of a primitive array (JNA copies it in and out; no JNA Memory, which
     * registers with JNA's cleaner): for an eventfd's 8-byte counter, which a device reads or
     * writes once per notification.
     * size_t and ssize_t are Java longs on x86-64, the only target.
     */
    public static native long read(int fd, long[] buf, long count) throws LastErrorException;

    public static native long write(int fd, long[] buf, long count) throws LastErrorException;

    public static native NativeLong pthread_self();

    public static native int pthread_kill(NativeLong thread, int sig);

    public static native String strerror(int errnum);

    public static final int O_RDONLY = 0;
    public static final int SIG_BLOCK = 0;
    public static final int E2BIG = 7;

    /** glibc x86-64: struct sigaction is 152 bytes (handler, 128-byte sa_mask, flags, restorer). */
    public static native int sigaction(int signum, Pointer act, Pointer oldact) throws LastErrorException;

    /** Returns the error number (0 on success); it does not set errno. */
    public static native int pthread_sigmask(int how, Pointer set, Pointer oldset);

    public static native int sigtimedwait(Pointer set, Pointer info, Pointer timeout) throws LastErrorException;

    public static native int mkfifo(String path, int mode) throws LastErrorException;

    /** setpriority(2)'s {@code which} for one process, or on Linux one thread given its tid. */
    public static final int PRIO_PROCESS = 0;

    /** Sets the nice value of {@code who} (setpriority(2)); raising it needs no privilege. */
    public static native int setpriority(int which, int who, int prio) throws LastErrorException;

    /** 1 when {@code fd} is a terminal, else 0 (isatty(3); never -1, so no exception). */
    public static native int isatty(int fd);

    /** MAP_FAILED is (void *) -1. */
    public static boolean mapFailed(Pointer p) {
        return p == null || Pointer.nativeValue(p) == -1L;
    }
}
