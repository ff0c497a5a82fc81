package io.jvmm.seccomp;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/** prctl(2) and seccomp(2) through syscall(2): glibc 2.36 has no seccomp() wrapper. */
final class SeccompLibC {
    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    static final int PR_GET_SECCOMP = 21;
    static final int PR_SET_NO_NEW_PRIVS = 38;
    static final long SYS_SECCOMP = 317;
    static final int SECCOMP_SET_MODE_FILTER = 1;
    static final int SECCOMP_GET_ACTION_AVAIL = 2;
    /** Log every action but ALLOW, so a refused call (EPERM) is in the kernel log too (seccomp(2)). */
    static final int SECCOMP_FILTER_FLAG_LOG = 2;

    private SeccompLibC() {
    }

    static native int prctl(int option, long arg2, long arg3, long arg4, long arg5) throws LastErrorException;

    static native long syscall(long number, long arg1, long arg2, Pointer arg3) throws LastErrorException;

    static native long syscall(long number) throws LastErrorException;

    /** Installs {@code program} on the calling thread (no TSYNC: only this thread and those it starts). */
    static void installFilter(BpfProgram program) {
        // seccomp_filter.rst: an unprivileged filter needs no_new_privs; it also keeps a later
        // execve from gaining privileges the filter was meant to bound.
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        byte[] code = program.bytes();
        try (Memory filter = new Memory(code.length); Memory fprog = new Memory(16)) {
            filter.write(0, code, 0, code.length);
            fprog.clear();
            fprog.setShort(0, (short) program.instructions().size()); // struct sock_fprog.len
            fprog.setPointer(8, filter);                               // struct sock_fprog.filter
            syscall(SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_LOG, fprog);
        }
    }

    /** Whether the kernel has seccomp filters and the action {@code action} (e.g. RET_LOG). */
    static boolean actionAvailable(int action) {
        try (Memory a = new Memory(4)) {
            a.setInt(0, action);
            syscall(SYS_SECCOMP, SECCOMP_GET_ACTION_AVAIL, 0, a);
            return true;
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            return false;
        }
    }
}
