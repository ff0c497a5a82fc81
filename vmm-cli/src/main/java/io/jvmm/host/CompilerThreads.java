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
 * Runs the JVM's JIT compiler threads at a lower scheduling priority (a higher nice value), so
 * that a VM's start and its vCPUs get a busy CPU first and the compiles take what is left.
 *
 * <p>Why: a start compiles about a thousand methods (C1 with profiles, then C2) while it reads
 * its config, builds the VM and boots the guest. With a core to spare that costs nothing; with
 * one CPU (a small cloud VM, the 1-vCPU nested test host) the compiles took the CPU from the
 * start itself: in the nested test host a boot to power-off took 14.2-23.6 s (median 15.1 s)
 * with the compiler threads at the process's priority, 10.1-11.9 s (11.0 s) at nice 10 and
 * 9.9-14.9 s (10.9 s) at nice 19, 5 rounds alternating (docs/jit-flags-l1-2026-12-07.txt).
 * Nice 10 rather than 19: on a host whose CPUs are all busy, nice 10 still gets the compilers
 * about a tenth of a CPU against a thread at nice 0 (the kernel's weights 110 and 1024), where
 * nice 19 would leave the device paths uncompiled for long.
 *
 * <p>Linux keeps a nice value per thread: setpriority(2) with {@code PRIO_PROCESS} and a thread
 * id changes that thread alone, and a thread inherits its creator's value. HotSpot adds compiler
 * threads from a compiler thread (when its queue grows), so those start at the lowered value
 * too. Raising a nice value needs no privilege. Thread names are Linux's 15-character
 * {@code comm}: "C1 CompilerThre", "C2 CompilerThre".
 */
public final class CompilerThreads {
    /** The nice value for the compiler threads (0 to 19); 0 leaves them as they are. */
    public static final String NICE_PROPERTY = "jvmm.jit.nice";
    static final int DEFAULT_NICE = 10;

    private CompilerThreads() {
    }

    /**
     * Lowers this JVM's compiler threads to the nice value of {@link #NICE_PROPERTY}. Nothing to
     * do when the JVM does not compile ({@code -Xint}: no compiler threads) or the value is 0.
     * Never fails: a priority is an optimisation, so a problem is logged (a bad property as a
     * warning, the rest at debug level).
     *
     * @return the thread ids changed
     */
    public static List<Integer> lowerPriority() {
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
        if (nice == 0) {
            return List.of();
        }
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
            log.debug("JIT compiler threads not lowered: cannot read /proc/self/task: {}", e.toString());
        }
        log.debug("JIT compiler threads {} at nice {}", changed, nice);
        return changed;
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
