package io.jvmm.snapshot;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a snapshot directory so that a crash at any point leaves the previous snapshot or
 * nothing at its name, never a half one that restores.
 *
 * <p>Files go into a private sibling {@code .NAME.tmp-PID} (mode 0700, files 0600 from their
 * creation, so no other user can read guest memory even for a moment); {@link #commit} writes
 * the {@value #COMPLETE_FILE} marker, fsyncs the files and the directory, and renames it to
 * NAME (rename(2) is atomic within a file system; it also replaces an empty directory). A
 * previous snapshot at NAME is first renamed to {@code .NAME.old-PID} and deleted once the
 * new one is in place. Restore requires the marker, so a directory copied or written only
 * partly is refused. Leftovers of a crashed writer are removed by the next snapshot of the same
 * name (a {@code .old} one only once NAME holds a complete snapshot again; until then it is the
 * previous snapshot, kept and reported).
 */
public final class SnapshotDirWriter implements AutoCloseable {
    /** Written last: its presence says every other file of the snapshot is complete. */
    public static final String COMPLETE_FILE = "complete";
    static final String COMPLETE_TEXT = "jvmm snapshot, format " + SnapshotFile.FORMAT_VERSION + "\n";
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotDirWriter.class);
    private static final FileAttribute<Set<PosixFilePermission>> DIR_0700 =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> FILE_0600 =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    /** Points of {@link #commit} a test can stop at, as a crash there would. */
    interface CrashPoint {
        CrashPoint NONE = step -> { };

        /** Called when {@code step} ("marker written", "old moved aside", "renamed") is done. */
        void reached(String step) throws IOException;
    }

    private final Path target;
    private final Path tmp;
    private final Path old;
    private final CrashPoint crash;
    private final long pid;
    private boolean committed;

    private SnapshotDirWriter(Path target, Path tmp, Path old, CrashPoint crash, long pid) {
        this.pid = pid;
        this.target = target;
        this.tmp = tmp;
        this.old = old;
        this.crash = crash;
    }

    /** Starts a snapshot that will be named {@code target}; refuses a target that is not a snapshot to replace. */
    public static SnapshotDirWriter begin(Path target) throws IOException, SnapshotException {
        return begin(target, ProcessHandle.current().pid(), CrashPoint.NONE);
    }

    static SnapshotDirWriter begin(Path target, long pid, CrashPoint crash) throws IOException, SnapshotException {
        Path abs = target.toAbsolutePath().normalize();
        Path name = abs.getFileName();
        Path parent = abs.getParent();
        if (name == null || parent == null) {
            throw new SnapshotException("cannot write a snapshot to " + target + ": not a directory name");
        }
        if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(abs, LinkOption.NOFOLLOW_LINKS)) {
                throw new SnapshotException("cannot write a snapshot to " + target
                        + ": it exists and is not a directory; nothing was written");
            }
            if (!isEmpty(abs) && !Files.exists(abs.resolve(SnapshotFile.STATE_FILE), LinkOption.NOFOLLOW_LINKS)) {
                throw new SnapshotException("cannot write a snapshot to " + target + ": it is a directory that "
                        + "holds other files, not a jvmm snapshot (no " + SnapshotFile.STATE_FILE
                        + "); nothing was written");
            }
        }
        Files.createDirectories(parent);
        cleanLeftovers(parent, name.toString(), abs, pid);
        Path tmp = parent.resolve("." + name + ".tmp-" + pid);
        deleteTree(tmp);
        Files.createDirectory(tmp, DIR_0700);
        return new SnapshotDirWriter(abs, tmp, parent.resolve("." + name + ".old-" + pid), crash, pid);
    }

    /** The directory to write the snapshot's files into (private, not yet at its name). */
    public Path dir() {
        return tmp;
    }

    /** Creates {@code file} with mode 0600 (it must not exist) and opens it for writing. */
    public static FileChannel createPrivate(Path file) throws IOException {
        return FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE), FILE_0600);
    }

    /** Writes {@code bytes} to a new 0600 file and fsyncs it. */
    public static void writePrivate(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = createPrivate(file)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    /** Marks the snapshot complete and puts it at its name, replacing a previous snapshot there. */
    public void commit() throws IOException {
        writePrivate(tmp.resolve(COMPLETE_FILE), COMPLETE_TEXT.getBytes(StandardCharsets.US_ASCII));
        fsyncDir(tmp);
        crash.reached("marker written");
        boolean replace = Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS) && !isEmpty(target);
        if (replace) {
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            crash.reached("old moved aside");
        }
        // An empty directory at the name (made by the user or a test) is replaced by rename(2).
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        fsyncDir(target.getParent());
        committed = true;
        crash.reached("renamed");
        if (replace) {
            deleteTree(old);
        }
        // A previous snapshot kept aside by a crashed writer is superseded now.
        cleanLeftovers(target.getParent(), target.getFileName().toString(), target, pid);
    }

    /** Without a commit: removes the partial snapshot and puts a previous one moved aside back. */
    @Override
    public void close() throws IOException {
        if (committed) {
            return;
        }
        deleteTree(tmp);
        if (Files.exists(old, LinkOption.NOFOLLOW_LINKS) && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** Whether {@code dir} carries the marker a complete snapshot has. */
    public static boolean isComplete(Path dir) {
        return Files.isRegularFile(dir.resolve(COMPLETE_FILE), LinkOption.NOFOLLOW_LINKS);
    }

    private static void cleanLeftovers(Path parent, String name, Path target, long pid) throws IOException {
        String tmpPrefix = "." + name + ".tmp-";
        String oldPrefix = "." + name + ".old-";
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent,
                p -> p.getFileName().toString().startsWith(tmpPrefix) || p.getFileName().toString().startsWith(oldPrefix))) {
            for (Path p : entries) {
                String f = p.getFileName().toString();
                boolean isTmp = f.startsWith(tmpPrefix);
                long owner = parsePid(f.substring((isTmp ? tmpPrefix : oldPrefix).length()));
                if (owner != pid && owner > 0 && ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                    continue; // another jvmm is writing this snapshot right now
                }
                if (isTmp) {
                    LOG.warn("removing {}: a snapshot left half-written by a jvmm that stopped (pid {})", p, owner);
                    deleteTree(p);
                } else if (isComplete(target)) {
                    LOG.warn("removing {}: the snapshot a stopped jvmm (pid {}) was replacing", p, owner);
                    deleteTree(p);
                } else {
                    LOG.warn("{} holds the snapshot that was at {} before a jvmm stopped while replacing it; "
                            + "kept (rename it back to restore it)", p, target);
                }
            }
        }
    }

    private static long parsePid(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.delete(p);
                } catch (NoSuchFileException ignored) {
                    // gone already
                }
            }
        }
    }
}
