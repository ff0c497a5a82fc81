package io.jvmm.seccomp;

import com.sun.jna.LastErrorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's seccomp policy: chosen once from {@code --seccomp} before the VM is built,
 * then installed by each vCPU and device worker thread on itself before it touches the guest.
 * Threads the JVM made itself (main, GC, JIT compilers, the API server's) are not filtered:
 * they load classes, compile code and write snapshots, which needs most of the kernel.
 */
public final class SeccompPolicy {
    private static final Logger log = LoggerFactory.getLogger(SeccompPolicy.class);
    private static volatile SeccompMode mode = SeccompMode.OFF;

    private SeccompPolicy() {
    }

    /**
     * Sets the mode for threads started from now on. {@code requested} null means the default:
     * on where the kernel supports seccomp filters, else off with one info line.
     *
     * @throws IllegalStateException when a mode was asked for explicitly and the kernel cannot do it
     */
    public static SeccompMode configure(SeccompMode requested) {
        SeccompMode want = requested == null ? SeccompMode.ON : requested;
        if (want != SeccompMode.OFF) {
            int action = want == SeccompMode.LOG ? BpfProgram.SECCOMP_RET_LOG : BpfProgram.SECCOMP_RET_ERRNO;
            if (!SeccompLibC.actionAvailable(action)) {
                if (requested != null) {
                    throw new IllegalStateException("--seccomp=" + want.name().toLowerCase() + ": this kernel does not "
                            + "offer seccomp filters with that action; use --seccomp=off");
                }
                log.info("seccomp: the kernel has no seccomp filters; running without them");
                want = SeccompMode.OFF;
            }
        }
        mode = want;
        if (want != SeccompMode.OFF) {
            log.info("seccomp: {} (vCPU threads may make {} system calls, device workers {})",
                    want.name().toLowerCase(), ThreadKind.VCPU.allowed().size(), ThreadKind.DEVICE_WORKER.allowed().size());
        }
        return want;
    }

    public static SeccompMode mode() {
        return mode;
    }

    /**
     * Installs {@code kind}'s filter on the calling thread, then checks it works by making a
     * system call no list allows (getppid, harmless): with {@code on} it must fail with EPERM;
     * with {@code log} it succeeds and the kernel logs it. Nothing happens when the mode is off.
     *
     * @throws IllegalStateException when the filter cannot be installed or is not in force
     */
    public static void installOnThisThread(ThreadKind kind) {
        SeccompMode m = mode;
        if (m == SeccompMode.OFF) {
            return;
        }
        String thread = Thread.currentThread().getName();
        try {
            SeccompLibC.installFilter(BpfProgram.of(kind.allowed(), true, m));
        } catch (LastErrorException e) {
            throw new IllegalStateException("seccomp: cannot install the " + kind.label() + " filter on thread "
                    + thread + ": " + e.getMessage(), e);
        }
        boolean refused;
        try {
            SeccompLibC.syscall(Syscalls.GETPPID);
            refused = false;
        } catch (LastErrorException e) {
            refused = e.getErrorCode() == BpfProgram.EPERM;
        }
        if (m == SeccompMode.ON && !refused) {
            throw new IllegalStateException("seccomp: the " + kind.label() + " filter on thread " + thread
                    + " is installed but a forbidden system call (getppid) was not refused");
        }
        log.debug("seccomp {} on {} thread {}: {} system calls allowed; forbidden getppid {}", m.name().toLowerCase(),
                kind.label(), thread, kind.allowed().size(), refused ? "refused (EPERM)" : "allowed and logged by the kernel");
    }
}
