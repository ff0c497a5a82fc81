package io.jvmm.nested;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Signs, in the output files one L1 run left in its scratch directory, that the emulated CPU
 * of the nested host broke a jvmm run rather than jvmm itself: a JVM that crashed (on
 * 2026-11-22, faults on the first instructions of freshly JIT-compiled JDK code, in a run
 * that never started a guest too), or a guest that triple-faulted (see
 * {@link GuestScenario#driverLines}). Output files are *.out, *.log and *.txt; a scenario that
 * was already run again inside L1 renamed its first output, so only what stands counts.
 */
final class HostFaults {
    private static final long MAX_TEXT = 8L << 20;
    private static final int DEPTH = 4;

    private HostFaults() {
    }

    /** The files under {@code scratch} now, so the outputs of a run can be told from its inputs. */
    static Set<Path> listing(Path scratch) throws IOException {
        try (Stream<Path> files = Files.walk(scratch, DEPTH)) {
            return Set.copyOf(files.filter(Files::isRegularFile).toList());
        }
    }

    /** One line per sign in the output files the run wrote (not in {@code before}); empty when none. */
    static List<String> signs(Path scratch, Set<Path> before) throws IOException {
        List<String> signs = new ArrayList<>();
        for (Path f : written(scratch, before)) {
            String name = f.getFileName().toString();
            if (!isOutput(name) || name.contains("hs_err_pid") || Files.size(f) > MAX_TEXT) {
                continue;
            }
            String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            if (text.contains(GuestScenario.JVM_CRASH)) {
                signs.add("a JVM crashed (" + scratch.relativize(f) + ")");
            } else if (text.contains(GuestScenario.TRIPLE_FAULT)) {
                signs.add("a guest triple-faulted (" + scratch.relativize(f) + ")");
            }
        }
        return signs;
    }

    /**
     * Deletes what the run wrote, so a rerun's results cannot mix with the first run's. JVM
     * crash reports stay (already printed). Files that existed before, such as disk images the
     * guest wrote to, are kept as they are: the scenarios write the same data again.
     */
    static void discardOutputs(Path scratch, Set<Path> before) throws IOException {
        for (Path f : written(scratch, before)) {
            if (!f.getFileName().toString().contains("hs_err_pid")) {
                Files.deleteIfExists(f);
            }
        }
    }

    private static List<Path> written(Path scratch, Set<Path> before) throws IOException {
        try (Stream<Path> files = Files.walk(scratch, DEPTH)) {
            return files.filter(Files::isRegularFile).filter(f -> !before.contains(f))
                    .filter(f -> !scratch.relativize(f).toString().startsWith(".jvmm-nested-run")).sorted().toList();
        }
    }

    private static boolean isOutput(String name) {
        return name.endsWith(".out") || name.endsWith(".log") || name.endsWith(".txt");
    }
}
