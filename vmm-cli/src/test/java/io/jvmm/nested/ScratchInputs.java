package io.jvmm.nested;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A copy of everything in a scratch directory before an L1 run (configs, initramfs files, disk
 * images the guest will write to), so that a rerun starts from exactly the same inputs: the
 * first run's outputs are moved aside (kept for the record) and every input file is put back
 * as it was. JVM crash reports stay where they are: they are the evidence for the rerun.
 */
final class ScratchInputs {
    private static final int DEPTH = 4;

    private final Path scratch;
    private final Path copy;
    private final Set<Path> inputs;

    private ScratchInputs(Path scratch, Path copy, Set<Path> inputs) {
        this.scratch = scratch;
        this.copy = copy;
        this.inputs = inputs;
    }

    /** Copies every regular file now under {@code scratch} to a sibling directory. */
    static ScratchInputs save(Path scratch) throws IOException, InterruptedException {
        Path copy = scratch.resolveSibling(scratch.getFileName() + ".inputs");
        deleteTree(copy);
        Files.createDirectories(copy);
        Set<Path> inputs = Set.copyOf(files(scratch));
        for (Path f : inputs) {
            Path target = copy.resolve(scratch.relativize(f));
            Files.createDirectories(target.getParent());
            copyFile(f, target);
        }
        return new ScratchInputs(scratch, copy, inputs);
    }

    /**
     * Moves what the run wrote (but crash reports) under {@code keep}, for the record of the
     * failed run, and puts every input back as it was saved.
     */
    void restore(Path keep) throws IOException, InterruptedException {
        deleteTree(keep);
        for (Path f : files(scratch)) {
            if (!inputs.contains(f)) {
                Path target = keep.resolve(scratch.relativize(f));
                Files.createDirectories(target.getParent());
                Files.move(f, target);
            }
        }
        for (Path f : inputs) {
            copyFile(copy.resolve(scratch.relativize(f)), f);
        }
    }

    /** Removes the saved copy. */
    void discard() throws IOException {
        deleteTree(copy);
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir, DEPTH)) {
            return s.filter(Files::isRegularFile)
                    .filter(f -> !dir.relativize(f).toString().startsWith(".jvmm-nested-run"))
                    .filter(f -> !f.getFileName().toString().startsWith("hs_err_pid"))
                    .toList();
        }
    }

    /** cp keeps disk images sparse and their times, which Files.copy would not. */
    private static void copyFile(Path from, Path to) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("cp", "-p", "--sparse=always", from.toString(), to.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("cp " + from + " " + to + " failed: " + out.strip());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(s.toList());
            java.util.Collections.reverse(all);
            for (Path p : all) {
                Files.delete(p);
            }
        }
    }
}
