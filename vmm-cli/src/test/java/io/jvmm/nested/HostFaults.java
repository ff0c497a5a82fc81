package io.jvmm.nested;

import io.jvmm.snapshot.SnapshotException;
import io.jvmm.snapshot.SnapshotFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The rule that decides whether a failed nested-host run may be run again: only positive
 * evidence that the emulated host failed, never the mere look of a failure. Evidence is
 * <ul>
 *   <li>nested-run's own L1 watchdog (exit 126: a CPU stuck, or L1 silent) or its report that
 *       L1 could not be set up or died under the command (exit 125);</li>
 *   <li>a lockup, RCU stall or panic on L1's kernel console;</li>
 *   <li>a JVM crash report (hs_err) whose problematic frame is JIT-compiled Java or the JVM
 *       itself (frame kinds J, j, V, v in HotSpot's report), which jvmm's code cannot reach;</li>
 *   <li>a snapshot a driver took of a guest that went silent (a directory named {@code stall*}
 *       in the scratch directory) showing the guest's COM1 interrupt lost beneath jvmm
 *       ({@link StallReport#lostInterrupt}).</li>
 * </ul>
 * A crash in native code (frame kind C: JNA, libc, anything jvmm called) and a guest triple
 * fault are not evidence: they are presumed to be jvmm's bug, and are reported as suspects.
 */
final class HostFaults {
    private static final long MAX_TEXT = 8L << 20;
    private static final int DEPTH = 4;

    /** L1 kernel messages that show the emulated machine itself stopped working. */
    private static final Pattern L1_KERNEL_FAULT = Pattern.compile(
            "(watchdog: BUG: soft lockup - CPU#\\d+ stuck for \\d+s"
                    + "|Watchdog detected hard LOCKUP on cpu \\d+"
                    + "|rcu: INFO: \\w+ (self-)?detected stalls?[^\\n]*"
                    + "|Kernel panic - not syncing:[^\\n]*)");
    /** HotSpot's "Problematic frame" line: '# K ...' where K is the kind of frame. */
    private static final Pattern PROBLEMATIC_FRAME = Pattern.compile(
            "(?m)^# Problematic frame:\\s*\\n#\\s+([JjVvCA])\\s+(.*)$");

    private HostFaults() {
    }

    /** Why the run with nested-run status {@code exitCode} proves the host failed; empty when nothing does. */
    static List<String> evidence(int exitCode, Path consoleLog, List<Path> crashReports) throws IOException {
        List<String> evidence = new ArrayList<>();
        if (exitCode == NestedHost.LOCKUP_EXIT) {
            evidence.add("nested-run's L1 watchdog fired (exit 126: a CPU of L1 stuck, or L1 stopped running)");
        } else if (exitCode == NestedHost.SETUP_FAILED_EXIT) {
            evidence.add("L1 could not be set up or died under the command (nested-run exit 125)");
        }
        l1KernelFault(consoleLog).ifPresent(m -> evidence.add("L1's kernel console: " + m));
        for (Path report : crashReports) {
            Optional<Frame> frame = problematicFrame(read(report));
            if (frame.isPresent() && frame.get().isJvmOrJitCode()) {
                evidence.add("a JVM crashed in " + frame.get().describe() + " (" + report.getFileName() + ")");
            }
        }
        return evidence;
    }

    /**
     * Lost-interrupt evidence from the snapshots drivers took of silent guests: directories
     * named {@code stall*} directly in {@code scratch}, written since {@code sinceMillis}.
     */
    static List<String> lostInterrupts(Path scratch, long sinceMillis) throws IOException {
        List<String> evidence = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(scratch)) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith("stall")).sorted().toList()) {
                Path state = d.resolve(SnapshotFile.STATE_FILE);
                if (!Files.isRegularFile(state) || Files.getLastModifiedTime(state).toMillis() < sinceMillis) {
                    continue;
                }
                try {
                    StallReport.lostInterrupt(SnapshotFile.read(d))
                            .ifPresent(why -> evidence.add(why + " (" + scratch.relativize(d) + ")"));
                } catch (SnapshotException e) {
                    // An unreadable snapshot proves nothing; the failure message shows it (StallReport.describe).
                }
            }
        }
        return evidence;
    }

    /** What points at jvmm in the run: JVM crashes in native code, and guest triple faults. */
    static List<String> suspects(Path scratch, List<Path> crashReports, long sinceMillis) throws IOException {
        List<String> suspects = new ArrayList<>();
        for (Path report : crashReports) {
            Optional<Frame> frame = problematicFrame(read(report));
            if (frame.isEmpty()) {
                suspects.add("a JVM crash report without a problematic frame (" + report.getFileName() + ")");
            } else if (!frame.get().isJvmOrJitCode()) {
                suspects.add("a JVM crashed in " + frame.get().describe() + " (" + report.getFileName() + ")");
            }
        }
        for (Path f : outputsSince(scratch, sinceMillis)) {
            if (read(f).contains(GuestScenario.TRIPLE_FAULT)) {
                suspects.add("a guest triple-faulted (" + scratch.relativize(f) + ")");
            }
        }
        return suspects;
    }

    /** The JVM crash reports written into {@code scratch} since {@code sinceMillis}. */
    static List<Path> crashReports(Path scratch, long sinceMillis) throws IOException {
        try (Stream<Path> files = Files.list(scratch)) {
            List<Path> out = new ArrayList<>();
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("hs_err_pid")).sorted().toList()) {
                if (Files.getLastModifiedTime(f).toMillis() >= sinceMillis) {
                    out.add(f);
                }
            }
            return out;
        }
    }

    /** The first lockup, stall or panic L1's kernel reported, if any. */
    static Optional<String> l1KernelFault(Path consoleLog) throws IOException {
        if (consoleLog == null || !Files.isRegularFile(consoleLog)) {
            return Optional.empty();
        }
        Matcher m = L1_KERNEL_FAULT.matcher(read(consoleLog));
        return m.find() ? Optional.of(m.group(1).strip()) : Optional.empty();
    }

    /** The frame HotSpot names as problematic in an hs_err report. */
    static Optional<Frame> problematicFrame(String report) {
        Matcher m = PROBLEMATIC_FRAME.matcher(report);
        return m.find() ? Optional.of(new Frame(m.group(1).charAt(0), m.group(2).strip())) : Optional.empty();
    }

    /**
     * One frame of an hs_err report. Kinds (HotSpot's frame legend): J compiled Java, j
     * interpreted Java, V VM code, v VM-generated stub, C native C code, A AOT-compiled Java.
     */
    record Frame(char kind, String text) {
        boolean isJvmOrJitCode() {
            return kind == 'J' || kind == 'j' || kind == 'V' || kind == 'v';
        }

        String describe() {
            String what = switch (kind) {
                case 'J' -> "JIT-compiled Java code";
                case 'j' -> "interpreted Java code";
                case 'V' -> "the JVM's own code";
                case 'v' -> "a JVM-generated stub";
                case 'C' -> "native code";
                default -> "AOT-compiled code";
            };
            String shortText = text.length() > 140 ? text.substring(0, 140) + "..." : text;
            return what + " [" + kind + " " + shortText + "]";
        }
    }

    private static List<Path> outputsSince(Path scratch, long sinceMillis) throws IOException {
        try (Stream<Path> files = Files.walk(scratch, DEPTH)) {
            List<Path> out = new ArrayList<>();
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = f.getFileName().toString();
                boolean output = name.endsWith(".out") || name.endsWith(".log") || name.endsWith(".txt");
                if (output && !name.startsWith("hs_err_pid") && Files.size(f) <= MAX_TEXT
                        && Files.getLastModifiedTime(f).toMillis() >= sinceMillis) {
                    out.add(f);
                }
            }
            return out;
        }
    }

    private static String read(Path f) throws IOException {
        return Files.size(f) > MAX_TEXT ? "" : new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
    }
}
