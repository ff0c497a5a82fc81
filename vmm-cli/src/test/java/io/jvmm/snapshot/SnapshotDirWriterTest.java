package io.jvmm.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jvmm.vm.VmLauncher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshot directories are private from their creation and appear at their name only when complete. */
class SnapshotDirWriterTest {
    private static final SnapshotConfig CONFIG = new SnapshotConfig("/vm/vm.toml", "[vm]\nmemory = \"64M\"\n",
            64 << 20, 2);

    @TempDir
    Path tmp;

    /** A stand-in for a crash: the writer is abandoned at {@code step} without cleaning up. */
    private static final class Crash extends IOException {
        Crash(String step) {
            super("crashed after " + step);
        }
    }

    private static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Throwable restoreCheck(Path dir) {
        return catchThrowable(() -> VmLauncher.check(dir, SnapshotProgress.NONE));
    }

    /** What restore says about the directory: its config is checked after the files, so "kernel" means the files passed. */
    private static void assertRestorable(Path dir) {
        assertThat(restoreCheck(dir)).isInstanceOf(SnapshotException.class).hasMessageContaining("no longer valid");
    }

    @Test
    void theSnapshotDirectoryIs0700AndEveryFileIn0600() throws Exception {
        Path snap = tmp.resolve("snap");
        TestSnapshots.write(snap, CONFIG);
        assertThat(perms(snap)).isEqualTo("rwx------");
        assertThat(names(snap)).containsExactly("complete", "config.toml", "memory.bin", "state.bin");
        for (String f : names(snap)) {
            assertThat(perms(snap.resolve(f))).as(f).isEqualTo("rw-------");
        }
        assertThat(names(tmp)).containsExactly("snap");
    }

    @Test
    void filesAreCreatedPrivateNotMadePrivateAfterwards() throws Exception {
        try (SnapshotDirWriter w = SnapshotDirWriter.begin(tmp.resolve("snap"))) {
            assertThat(perms(w.dir())).isEqualTo("rwx------");
            SnapshotDirWriter.createPrivate(w.dir().resolve("x")).close();
            assertThat(perms(w.dir().resolve("x"))).isEqualTo("rw-------");
        }
        assertThat(names(tmp)).isEmpty();
    }

    @Test
    void aSnapshotIntoAnExistingEmptyDirectoryReplacesIt() throws Exception {
        Path snap = Files.createDirectory(tmp.resolve("snap"));
        TestSnapshots.write(snap, CONFIG);
        assertThat(names(snap)).contains("complete", "state.bin");
        assertRestorable(snap);
    }

    @Test
    void aNewSnapshotReplacesThePreviousOneAndLeavesNothingBeside() throws Exception {
        Path snap = tmp.resolve("snap");
        TestSnapshots.write(snap, CONFIG);
        SnapshotConfig second = new SnapshotConfig("/vm/second.toml", CONFIG.toml(), CONFIG.memoryBytes(), 2);
        TestSnapshots.write(snap, second);
        assertThat(SnapshotFile.read(snap).config()).isEqualTo(second);
        assertThat(names(tmp)).containsExactly("snap");
    }

    @Test
    void aSnapshotThatFailsMidwayLeavesThePreviousOneIntactAndNoHalfDirectory() throws Exception {
        Path snap = tmp.resolve("snap");
        TestSnapshots.write(snap, CONFIG);
        byte[] before = Files.readAllBytes(snap.resolve(SnapshotFile.STATE_FILE));
        Throwable e = catchThrowable(() -> {
            try (SnapshotDirWriter w = SnapshotDirWriter.begin(snap)) {
                MemoryImage.write(TestSnapshots.ram(CONFIG.memoryBytes()), w.dir(), SnapshotProgress.NONE);
                throw new IOException("no space left on device");
            }
        });
        assertThat(e).hasMessage("no space left on device");
        assertThat(Files.readAllBytes(snap.resolve(SnapshotFile.STATE_FILE))).isEqualTo(before);
        assertThat(names(tmp)).containsExactly("snap");
        assertRestorable(snap);
    }

    @Test
    void aCrashWhileWritingLeavesThePreviousSnapshotAndAHiddenDirectoryTheNextSnapshotRemoves() throws Exception {
        Path snap = tmp.resolve("snap");
        TestSnapshots.write(snap, CONFIG);
        SnapshotDirWriter crashed = SnapshotDirWriter.begin(snap, 999_999_999L, SnapshotDirWriter.CrashPoint.NONE);
        TestSnapshots.writeFiles(crashed.dir(), CONFIG); // and never committed nor closed
        assertThat(names(tmp)).containsExactly(".snap.tmp-999999999", "snap");
        assertRestorable(snap);
        // Restoring the half directory itself is refused: it has no completion marker.
        assertThat(restoreCheck(crashed.dir())).hasMessageContaining("is incomplete (no 'complete' marker)");
        TestSnapshots.write(snap, CONFIG);
        assertThat(names(tmp)).containsExactly("snap");
    }

    @Test
    void aCrashAtEachStepOfTheCommitLeavesTheOldSnapshotOrTheNewOneOrNothingRestorable() throws Exception {
        for (String step : List.of("marker written", "old moved aside", "renamed")) {
            Path snap = tmp.resolve(step.replace(' ', '-'));
            TestSnapshots.write(snap, CONFIG);
            SnapshotConfig next = new SnapshotConfig("/vm/next.toml", CONFIG.toml(), CONFIG.memoryBytes(), 2);
            SnapshotDirWriter w = SnapshotDirWriter.begin(snap, 999_999_998L, s -> {
                if (s.equals(step)) {
                    throw new Crash(s);
                }
            });
            TestSnapshots.writeFiles(w.dir(), next);
            assertThatThrownBy(w::commit).isInstanceOf(Crash.class);
            if (Files.exists(snap)) {
                assertRestorable(snap);
                assertThat(SnapshotFile.read(snap).config().sourcePath()).as(step)
                        .isEqualTo(step.equals("renamed") ? "/vm/next.toml" : "/vm/vm.toml");
            } else {
                assertThat(step).isEqualTo("old moved aside");
                assertThat(restoreCheck(snap)).hasMessageContaining("no such directory");
                // The previous snapshot is beside it, under a hidden name, until a snapshot succeeds.
                assertThat(SnapshotFile.read(tmp.resolve(".old-moved-aside.old-999999998")).config().sourcePath())
                        .isEqualTo("/vm/vm.toml");
            }
            TestSnapshots.write(snap, next);
            assertRestorable(snap);
            assertThat(names(tmp)).as(step).doesNotContain("." + snap.getFileName() + ".tmp-999999998",
                    "." + snap.getFileName() + ".old-999999998");
        }
    }

    @Test
    void aFailedCommitPutsThePreviousSnapshotBack() throws Exception {
        Path snap = tmp.resolve("snap");
        TestSnapshots.write(snap, CONFIG);
        try (SnapshotDirWriter w = SnapshotDirWriter.begin(snap, ProcessHandle.current().pid(), s -> {
            if (s.equals("old moved aside")) {
                throw new IOException("rename failed");
            }
        })) {
            TestSnapshots.writeFiles(w.dir(), CONFIG);
            assertThatThrownBy(w::commit).hasMessage("rename failed");
        }
        assertThat(names(tmp)).containsExactly("snap");
        assertRestorable(snap);
    }

    @Test
    void aDirectoryWithOtherFilesIsNeverReplaced() throws Exception {
        Path home = Files.createDirectory(tmp.resolve("home"));
        Files.writeString(home.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> TestSnapshots.write(home, CONFIG)).isInstanceOf(SnapshotException.class)
                .hasMessageContaining("not a jvmm snapshot").hasMessageContaining("nothing was written");
        assertThat(names(home)).containsExactly("notes.txt");
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> TestSnapshots.write(file, CONFIG)).hasMessageContaining("not a directory");
    }

    @Test
    void restoreRefusesADirectoryWithoutTheCompletionMarker() throws Exception {
        Path snap = tmp.resolve("snap");
        TestSnapshots.write(snap, CONFIG);
        Files.delete(snap.resolve(SnapshotDirWriter.COMPLETE_FILE));
        assertThat(restoreCheck(snap)).isInstanceOf(SnapshotException.class)
                .hasMessage("snapshot " + snap + " is incomplete (no 'complete' marker): it was written or copied "
                        + "only partly; nothing was started");
    }
}
