package io.jvmm.host;

import com.sun.jna.LastErrorException;
import io.jvmm.kvm.LibC;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the JVM's JIT compiler threads at a lower scheduling priority (a higher nice value)
 * while a VM starts, so that its start gets a busy CPU first, and back at the process's own
 * once its vCPUs run.
 *
 * <p>Why: a start compiles about a thousand methods (C1 with profiles, then C2) while it reads
 * its config and builds the VM. With a core to spare that costs nothing; with one CPU (a small
 * cloud VM, the 1-vCPU nested test host) the compiles took the CPU from the start itself: in
 * the nested test host the first KVM_RUN came 6.2-11.8 s after the JVM started with the
 * compilers at the process's priority and 4.4-5.5 s with them at nice 10 until then, and a
 * boot to power-off took 13.6 s against 16.4 s (medians, 5 rounds alternating,
 * docs/jit-flags-l1-2026-12-07.txt).
 *
 * <p>Why only during the start: once the guest runs, its vCPU threads can keep every CPU busy,
 * and compilers at nice 10 then left the device paths interpreted for long. With them lowered
 * for the whole run, 32 vsock connections opened at once in a 1-vCPU nested host took 2.5-8.7 s
 * each instead of 0.4-2.3 s, and two guest connects timed out (Linux's 2 s) in a CI run.
 *
 * <p>Linux keeps a nice value per thread: setpriority(2) with {@code PRIO_PROCESS} and a thread
 * id changes that thread alone, and a thread inherits its creator's value. HotSpot adds compiler
 * threads from a compiler thread (when its queue grows), so those start at the lowered value
 * too, and {@link #restorePriority} looks for them again. Raising a nice value needs no
 * privilege, but setting it back down does (CAP_SYS_NICE, or an RLIMIT_NICE that allows it:
 * setpriority(2), getrlimit(2)): a process that could not set them back leaves them alone.
 * Thread names are Linux's 15-character {@code comm}: "C1 CompilerThre", "C2 CompilerThre".
 */
public final class CompilerThreads {
    /** The nice value for the compiler threads (0 to 19); 0 leaves them as they are. */
    public static final String NICE_PROPERTY = "jvmm.jit.nice";
    static final int DEFAULT_NICE = 10;
    /** CAP_SYS_NICE, bit 23 of the capability sets (include/uapi/linux/capability.h). */
    private static final int CAP_SYS_NICE = 23;

    private CompilerThreads() {
    }

    /** The compiler threads' nice value before {@link #lowerPriority}, while they are lowered. */
    private static Integer loweredFrom;

    /**
     * Lowers this JVM's compiler threads to the nice value of {@link #NICE_PROPERTY}, if this
     * process may set them back ({@link #restorePriority}). Nothing to do when the JVM does not
     * compile ({@code -Xint}: no compiler threads) or the value is 0. Never fails: a priority is
     * an optimisation, so a problem is logged (a bad property as a warning, the rest at debug).
     *
     * @return the thread ids changed
     */
    public static synchronized List<Integer> lowerPriority() {
        if (System.getProperty("java.vm.info", "").contains("interpreted mode")) {
            return List.of(); // -Xint (bin/jvmm's short commands): no compiler threads, so no logger either
        }
        Logger log = LoggerFactory.getLogger(CompilerThreads.class);
        int nice;
        try {
            nice = niceValue(System.getProperty(NICE_PROPERTY));
        } catch (IllegalArgumentException e) {
            log.warn("{}; the JIT compiler threads keep their priority", e.getMessage());
            return List.of();
        }
        if (nice == 0 || loweredFrom != null) {
            return List.of();
        }
        int own;
        try {
            own = niceOf(Path.of("/proc/thread-self/stat"));
            if (own >= nice) {
                log.debug("JIT compiler threads keep their priority: the process already runs at nice {}", own);
                return List.of();
            }
            if (!maySetNice(own, Files.readString(Path.of("/proc/self/status")),
                    Files.readString(Path.of("/proc/self/limits")))) {
                log.debug("JIT compiler threads keep their priority: this process could not set them back from"
                        + " nice {} to {} (no CAP_SYS_NICE, RLIMIT_NICE too low)", nice, own);
                return List.of();
            }
        } catch (IOException | RuntimeException e) {
            log.debug("JIT compiler threads keep their priority: {}", e.toString());
            return List.of();
        }
        List<Integer> changed = setAll(nice, log);
        loweredFrom = own;
        log.debug("JIT compiler threads {} at nice {} until the vCPUs run", changed, nice);
        return changed;
    }

    /**
     * Sets the compiler threads back to the nice value they had before {@link #lowerPriority},
     * once: called when a VM's vCPUs have started, from a thread without a seccomp filter.
     *
     * @return the thread ids changed
     */
    public static synchronized List<Integer> restorePriority() {
        if (loweredFrom == null) {
            return List.of();
        }
        Logger log = LoggerFactory.getLogger(CompilerThreads.class);
        List<Integer> changed = setAll(loweredFrom, log);
        log.debug("JIT compiler threads {} back at nice {}", changed, loweredFrom);
        loweredFrom = null;
        return changed;
    }

    private static List<Integer> setAll(int nice, Logger log) {
        List<Integer> changed = new ArrayList<>();
        try {
            for (int tid : compilerThreadIds(Path.of("/proc/self/task"))) {
                try {
                    LibC.setpriority(LibC.PRIO_PROCESS, tid, nice);
                    changed.add(tid);
                } catch (LastErrorException e) {
                    log.debug("JIT compiler thread {}: setpriority to nice {} failed: errno {}", tid, nice,
                            e.getErrorCode());
                }
            }
        } catch (IOException e) {
            log.debug("JIT compiler threads: cannot read /proc/self/task: {}", e.toString());
        }
        return changed;
    }

    /**
     * Whether a process with this {@code status} and {@code limits} (the texts of
     * /proc/self/status and /proc/self/limits, proc(5)) may set a thread's nice value down to
     * {@code nice}: with CAP_SYS_NICE in CapEff, or when RLIMIT_NICE's soft limit is at least
     * 20 - nice (getrlimit(2)). The CapEff line is read as plugins-vfio's LockedMemoryLimit reads
     * it for CAP_IPC_LOCK; that plugin depends on the SPI alone, so the two cannot share code.
     */
    static boolean maySetNice(int nice, String status, String limits) {
        for (String line : status.split("\n")) {
            if (line.startsWith("CapEff:") && (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << CAP_SYS_NICE)) != 0) {
                return true;
            }
        }
        for (String line : limits.split("\n")) {
            if (line.startsWith("Max nice priority")) {
                String soft = line.substring("Max nice priority".length()).strip().split("\\s+")[0];
                return soft.equals("unlimited") || Long.parseLong(soft) >= 20 - nice;
            }
        }
        return false;
    }

    /** The nice value in a /proc stat file: field 19, counted after the command name in parentheses (proc(5)). */
    static int niceOf(Path stat) throws IOException {
        String s = Files.readString(stat);
        String[] fields = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[19 - 3]);
    }

    /** The ids of the threads under {@code taskDir} (a /proc/PID/task) whose comm is a compiler thread's. */
    static List<Integer> compilerThreadIds(Path taskDir) throws IOException {
        List<Integer> ids = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(taskDir)) {
            for (Path task : tasks) {
                String comm;
                try {
                    comm = Files.readString(task.resolve("comm"));
                } catch (IOException e) {
                    continue; // the thread ended while we looked
                }
                if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
                    ids.add(Integer.parseInt(task.getFileName().toString()));
                }
            }
        }
        return ids;
    }

    /** {@code text} as a nice value from 0 to 19; unset means {@link #DEFAULT_NICE}. */
    static int niceValue(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_NICE;
        }
        int n;
        try {
            n = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + NICE_PROPERTY + "=" + text + ": not a number (0 to 19)");
        }
        if (n < 0 || n > 19) {
            throw new IllegalArgumentException("-D" + NICE_PROPERTY + "=" + text
                    + ": out of range (0 to 19; a negative value would raise them above the VM's threads)");
        }
        return n;
    }
}
