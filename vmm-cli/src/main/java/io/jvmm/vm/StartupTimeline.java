package io.jvmm.vm;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the time from process start to the guest's first instruction goes. Steps call
 * {@link #mark}; the first KVM_RUN logs the whole timeline at debug level, once per process,
 * so {@code --log-level debug} attributes a slow boot: JVM start, main, config, plugins, KVM,
 * memory, devices, kernel, vCPUs, first KVM_RUN, each with its time since the JVM started and
 * since the step before.
 */
public final class StartupTimeline {
    /** One step: what was done, and the {@link System#nanoTime} when it was. */
    record Mark(String what, long nanos) {
    }

    private static final List<Mark> marks = new ArrayList<>();
    private static final AtomicBoolean reported = new AtomicBoolean();

    private StartupTimeline() {
    }

    /**
     * The nanoTime at which the JVM started, from the process start time (/proc, 10 ms ticks),
     * looked up on first use, as only {@code --log-level debug} prints it: every start marks
     * "main", and {@code ProcessHandle}'s info loads some 35 classes and a thread pool's worth of
     * lambdas: looked up at every start, it cost {@code jvmm --version} 5-10 ms of its 0.17 s on
     * the host (perf stat, 4 rounds of 20).
     */
    private static final class JvmStart {
        static final long NANOS = lookUp();

        private static long lookUp() {
            long nowNanos = System.nanoTime();
            long nowMillis = System.currentTimeMillis();
            long startMillis = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(nowMillis);
            return nowNanos - Math.max(0, nowMillis - startMillis) * 1_000_000;
        }
    }

    /**
     * Milliseconds since the JVM started. Cheaper than the runtime MXBean's uptime, whose first
     * use starts JMX (about 200 classes: seconds of CPU in the nested test host), but not free
     * (see {@link JvmStart}): for debug output.
     */
    public static long millisSinceJvmStart() {
        return (System.nanoTime() - JvmStart.NANOS) / 1_000_000;
    }

    /** Records that {@code what} is done now. */
    public static void mark(String what) {
        synchronized (marks) {
            marks.add(new Mark(what, System.nanoTime()));
        }
    }

    /** Called just before a vCPU's first KVM_RUN: the first call in the process logs the timeline. */
    static void firstKvmRun() {
        mark("first KVM_RUN");
        // The logger is made here, not when the class loads: main marks before --log-level is
        // applied, and slf4j-simple fixes its level when the first logger is made.
        Logger log = LoggerFactory.getLogger(StartupTimeline.class);
        if (reported.compareAndSet(false, true) && log.isDebugEnabled()) {
            List<Mark> copy;
            synchronized (marks) {
                copy = List.copyOf(marks);
            }
            log.debug("{}", render(JvmStart.NANOS, copy));
        }
    }

    /**
     * {@code start-up (ms since the JVM started, +ms since the step before): main 180 (+180),
     * config 231 (+51), ...}.
     */
    static String render(long startNanos, List<Mark> steps) {
        StringBuilder sb = new StringBuilder("start-up (ms since the JVM started, +ms since the step before):");
        long previous = startNanos;
        List<String> parts = new ArrayList<>();
        for (Mark m : steps) {
            // No String.format: it may load locale data, which a vCPU's seccomp filter would refuse.
            parts.add(" " + m.what() + " " + (m.nanos() - startNanos) / 1_000_000 + " (+" + (m.nanos() - previous) / 1_000_000 + ")");
            previous = m.nanos();
        }
        return sb.append(String.join(",", parts)).toString();
    }
}
