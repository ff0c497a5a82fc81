package io.jvmm.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * Kicks a vCPU thread out of KVM_RUN with a real-time signal (SIGRTMIN+6 = 40; HotSpot uses
 * SIGUSR2 and the low signals, glibc reserves 32 and 33).
 *
 * <p>Design: the signal is blocked in the vCPU thread at all times except inside KVM_RUN,
 * where KVM_SET_SIGNAL_MASK unblocks it (api.rst 4.21). So it can only interrupt KVM_RUN,
 * never a system call the JVM makes on that thread (a file write for the serial port, a
 * futex), which is what an unblocked signal without SA_RESTART would do. KVM returns EINTR
 * and the signal stays pending (blocked again in user space); {@link #drain()} consumes it
 * with a zero-timeout sigtimedwait. A handler is installed anyway so that a stray delivery is
 * harmless, not the default action (terminate): its address is libc's {@code getpid}, which
 * is async-signal-safe and ignores its argument; a Java callback as a signal handler would
 * be unsafe. Combined with kvm_run.immediate_exit, set before the signal is sent, a kick
 * cannot be lost in the window before the thread re-enters KVM_RUN.
 */
public final class VcpuSignal {
    public static final int SIGNAL = 40;
    /** glibc's sigset_t is 1024 bits. */
    private static final int SIGSET_BYTES = 128;
    private static final int SIGACTION_BYTES = 152;
    private static final int SA_FLAGS_OFFSET = 136;
    private static boolean installed;

    private VcpuSignal() {
    }

    /** Installs the no-op handler for {@link #SIGNAL} (no SA_RESTART), once per process. */
    public static synchronized void installHandler() {
        if (installed) {
            return;
        }
        Pointer noop = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("getpid");
        try (Memory act = new Memory(SIGACTION_BYTES)) {
            act.clear();
            act.setPointer(0, noop);
            act.setInt(SA_FLAGS_OFFSET, 0);
            LibC.sigaction(SIGNAL, act, null);
        } catch (LastErrorException e) {
            throw new KvmException("sigaction(" + SIGNAL + ")", e.getErrorCode());
        }
        installed = true;
    }

    private static Memory sigset(int... signals) {
        Memory set = new Memory(SIGSET_BYTES);
        set.clear();
        for (int s : signals) {
            int bit = s - 1;
            set.setByte(bit / 8, (byte) (set.getByte(bit / 8) | 1 << (bit % 8)));
        }
        return set;
    }

    /**
     * Called on the vCPU thread before its first KVM_RUN: blocks the signal in this thread and
     * gives KVM this thread's mask without it for use inside KVM_RUN. Returns the thread id
     * for {@link #kick}.
     */
    public static NativeLong prepareCurrentThread(VcpuFd vcpu) {
        installHandler();
        try (Memory block = sigset(SIGNAL); Memory old = new Memory(SIGSET_BYTES)) {
            old.clear();
            int err = LibC.pthread_sigmask(LibC.SIG_BLOCK, block, old);
            if (err != 0) {
                throw new KvmException("pthread_sigmask", err);
            }
            long inKvm = old.getLong(0) & ~(1L << (SIGNAL - 1));
            vcpu.setSignalMask(inKvm);
        }
        return LibC.pthread_self();
    }

    /** Sends the signal to a vCPU thread (any thread may call this). */
    public static void kick(NativeLong thread) {
        int err = LibC.pthread_kill(thread, SIGNAL);
        if (err != 0) {
            throw new KvmException("pthread_kill(" + SIGNAL + ")", err);
        }
    }

    /** Consumes a pending kick on the calling vCPU thread, if any. */
    public static void drain() {
        try (Memory set = sigset(SIGNAL); Memory info = new Memory(128); Memory zero = new Memory(16)) {
            zero.clear();
            while (true) {
                try {
                    LibC.sigtimedwait(set, info, zero);
                } catch (LastErrorException e) {
                    return; // EAGAIN: nothing pending
                }
            }
        }
    }
}
