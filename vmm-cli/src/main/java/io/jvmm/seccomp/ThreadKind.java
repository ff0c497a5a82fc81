package io.jvmm.seccomp;

import static io.jvmm.seccomp.Syscalls.*;

import java.util.Set;
import java.util.TreeSet;

/**
 * The kinds of thread jvmm filters, each with the system calls it may make. The lists were
 * found by running nested-host scenarios in log mode and reading the kernel's audit records
 * (type=1326), then kept to what the thread's job explains. Besides its list every filtered
 * thread may open files read-only (openat without a flag that writes, creates or truncates):
 * HotSpot reads the cgroup CPU limits when Java code asks how many processors there are, and
 * the JDK loads some data lazily; seen on the first vCPU in the nested host.
 */
public enum ThreadKind {
    /**
     * A vCPU: KVM_RUN and the device emulation it does in-line (port and MMIO exits: the
     * serial port's output, config-space writes that activate a virtio device, which creates
     * eventfds, registers them with KVM by ioctl and starts the device's workers).
     */
    VCPU(union(jvm(), Set.of(
            IOCTL,                         // KVM_RUN, KVM_IRQFD/IOEVENTFD at activation, TUN offloads
            RT_SIGTIMEDWAIT,               // consuming a pause kick (VcpuSignal.drain); refused, KVM_RUN spins on it
            EVENTFD2,                      // ioeventfds and irqfds made when the driver activates a device
            EPOLL_CREATE1, EPOLL_CTL,      // a device's poller, made at activation
            PIPE2,                         // wake-up pipes of pollers made at activation
            FSYNC, FDATASYNC)),            // the serial port's file, flushed
            "vcpu"),
    /**
     * A device worker: moves data between virtqueues and a host file, tap or socket, and
     * signals the guest by writing an irqfd. It makes no ioctl: it cannot touch KVM or a tap's
     * settings.
     */
    DEVICE_WORKER(union(jvm(), Set.of(
            EPOLL_WAIT, EPOLL_PWAIT, EPOLL_CTL, // waiting on taps, eventfds and sockets
            FSYNC, FDATASYNC,              // virtio-blk flush
            FALLOCATE,                     // virtio-blk discard and write-zeroes (punching holes)
            ACCEPT, ACCEPT4, SHUTDOWN,     // virtio-console's unix socket
            RECVFROM, SENDTO, RECVMSG, SENDMSG,
            GETSOCKOPT, SETSOCKOPT, GETSOCKNAME, GETPEERNAME,
            SOCKET, CONNECT)),             // connections a device opens on the guest's behalf
            "worker");

    private final Set<Integer> allowed;
    private final String label;

    ThreadKind(Set<Integer> allowed, String label) {
        this.allowed = Set.copyOf(allowed);
        this.label = label;
    }

    /** The allowed system call numbers. */
    public Set<Integer> allowed() {
        return allowed;
    }

    /** A short word for logs. */
    public String label() {
        return label;
    }

    /**
     * What any thread running Java code needs from the kernel, whatever its job: HotSpot's
     * memory management (malloc arenas, thread-local allocation, stack banging and guard
     * pages), its safepoint and handshake signals, locks and parking (futex), clocks and
     * sleeps, reading and writing files it was handed, and thread creation and exit. A JVM
     * thread that may not do these would die in the runtime, not in jvmm's code.
     */
    private static Set<Integer> jvm() {
        return Set.of(
                READ, WRITE, PREAD64, PWRITE64, READV, WRITEV, PREADV, PWRITEV, PREADV2, PWRITEV2,
                LSEEK, CLOSE, FCNTL, FSTAT, NEWFSTATAT, STATX, DUP,
                POLL, PPOLL, SELECT, PSELECT6,
                MMAP, MPROTECT, MUNMAP, MREMAP, MADVISE, BRK,                  // heap, arenas, code
                RT_SIGACTION, RT_SIGPROCMASK, RT_SIGRETURN, SIGALTSTACK, TGKILL, // HotSpot's signals
                FUTEX, SCHED_YIELD, SCHED_GETAFFINITY, NANOSLEEP, CLOCK_NANOSLEEP,
                CLOCK_GETTIME, CLOCK_GETRES, GETTIMEOFDAY, GETRUSAGE, SYSINFO,
                GETPID, GETTID, GETUID, GETEUID, GETGID, GETEGID, UNAME, GETRANDOM,
                CLONE, CLONE3, SET_ROBUST_LIST, RSEQ, PRCTL,                  // threads started from here
                EXIT, EXIT_GROUP, RESTART_SYSCALL);
    }

    private static Set<Integer> union(Set<Integer> a, Set<Integer> b) {
        Set<Integer> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
