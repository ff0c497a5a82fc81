package io.jvmm.seccomp;

/**
 * x86-64 system call numbers, named as in the kernel's arch/x86/entry/syscalls/syscall_64.tbl.
 * Only the ones jvmm's filters name.
 */
final class Syscalls {
    static final int READ = 0;
    static final int WRITE = 1;
    static final int OPEN = 2;
    static final int CLOSE = 3;
    static final int STAT = 4;
    static final int FSTAT = 5;
    static final int LSTAT = 6;
    static final int POLL = 7;
    static final int LSEEK = 8;
    static final int MMAP = 9;
    static final int MPROTECT = 10;
    static final int MUNMAP = 11;
    static final int BRK = 12;
    static final int RT_SIGACTION = 13;
    static final int RT_SIGPROCMASK = 14;
    static final int RT_SIGRETURN = 15;
    static final int IOCTL = 16;
    static final int PREAD64 = 17;
    static final int PWRITE64 = 18;
    static final int READV = 19;
    static final int WRITEV = 20;
    static final int ACCESS = 21;
    static final int PIPE = 22;
    static final int SELECT = 23;
    static final int SCHED_YIELD = 24;
    static final int MREMAP = 25;
    static final int MSYNC = 26;
    static final int MADVISE = 28;
    static final int DUP = 32;
    static final int DUP2 = 33;
    static final int NANOSLEEP = 35;
    static final int GETPID = 39;
    static final int SOCKET = 41;
    static final int CONNECT = 42;
    static final int ACCEPT = 43;
    static final int SENDTO = 44;
    static final int RECVFROM = 45;
    static final int SENDMSG = 46;
    static final int RECVMSG = 47;
    static final int SHUTDOWN = 48;
    static final int BIND = 49;
    static final int LISTEN = 50;
    static final int GETSOCKNAME = 51;
    static final int GETPEERNAME = 52;
    static final int SETSOCKOPT = 54;
    static final int GETSOCKOPT = 55;
    static final int CLONE = 56;
    static final int EXIT = 60;
    static final int KILL = 62;
    static final int UNAME = 63;
    static final int FCNTL = 72;
    static final int FSYNC = 74;
    static final int FDATASYNC = 75;
    static final int FTRUNCATE = 77;
    static final int GETCWD = 79;
    static final int READLINK = 89;
    static final int GETTIMEOFDAY = 96;
    static final int GETRUSAGE = 98;
    static final int SYSINFO = 99;
    static final int GETUID = 102;
    static final int GETGID = 104;
    static final int GETEUID = 107;
    static final int GETEGID = 108;
    /** Harmless and in no allowlist: what {@link SeccompPolicy#verify} calls to see the filter work. */
    static final int GETPPID = 110;
    static final int RT_SIGTIMEDWAIT = 128;
    static final int SIGALTSTACK = 131;
    static final int PRCTL = 157;
    static final int GETTID = 186;
    static final int FUTEX = 202;
    static final int SCHED_GETAFFINITY = 204;
    static final int RESTART_SYSCALL = 219;
    static final int CLOCK_GETTIME = 228;
    static final int CLOCK_GETRES = 229;
    static final int CLOCK_NANOSLEEP = 230;
    static final int EXIT_GROUP = 231;
    static final int EPOLL_WAIT = 232;
    static final int EPOLL_CTL = 233;
    static final int TGKILL = 234;
    static final int OPENAT = 257;
    static final int NEWFSTATAT = 262;
    static final int PSELECT6 = 270;
    static final int PPOLL = 271;
    static final int SET_ROBUST_LIST = 273;
    static final int EPOLL_PWAIT = 281;
    static final int TIMERFD_CREATE = 283;
    static final int FALLOCATE = 285;
    static final int TIMERFD_SETTIME = 286;
    static final int ACCEPT4 = 288;
    static final int EVENTFD2 = 290;
    static final int EPOLL_CREATE1 = 291;
    static final int PIPE2 = 293;
    static final int PREADV = 295;
    static final int PWRITEV = 296;
    static final int GETRANDOM = 318;
    static final int PREADV2 = 327;
    static final int PWRITEV2 = 328;
    static final int STATX = 332;
    static final int RSEQ = 334;
    static final int CLONE3 = 435;

    private Syscalls() {
    }
}
