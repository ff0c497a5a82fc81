package io.jvmm.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host files a snapshot's config names, as they were when the snapshot was taken: each
 * by its config key ({@code boot.kernel}, {@code device[1].path}), the absolute path the key
 * resolved to, and the file's identity there. Restore compares them with what the same keys
 * resolve to now, so a relative path read against another directory, a symlink pointed
 * elsewhere or a file replaced is seen before jvmm opens anything.
 */
public record HostFiles(List<Entry> entries) {
    public static final int VERSION = 1;
    public static final HostFiles NONE = new HostFiles(List.of());
    private static final int MAX_ENTRIES = 4096;
    private static final int MAX_PATH = 4096;

    public HostFiles {
        entries = List.copyOf(entries);
    }

    /**
     * One file: {@code identity} is empty when it did not exist (an output file jvmm creates).
     *
     * @param key  the config key, e.g. {@code device[1].path}
     * @param path the absolute path the key resolved to
     */
    public record Entry(String key, String path, Optional<Identity> identity) {
    }

    /**
     * Which file a path leads to: its real path (symlinks followed), device and inode (or, for
     * a device node, the device it stands for), and size and modification time (not identity:
     * a disk the guest wrote to has a new time but is the same disk).
     */
    public record Identity(String realPath, long dev, long ino, long rdev, boolean deviceNode, long size,
                           long mtimeMillis) {
        /**
         * Whether {@code other} is the same file: the same inode (a device node: the same
         * device). Not the device number of the file system: it can change when the file
         * system is mounted again (btrfs, LVM, NFS), and the real paths are compared as well.
         */
        public boolean sameFile(Identity other) {
            if (deviceNode || other.deviceNode) {
                return deviceNode == other.deviceNode && rdev == other.rdev;
            }
            return ino == other.ino;
        }

        /** {@code inode 1234} or {@code device 1:9}, for messages. */
        public String describe() {
            return deviceNode ? "device " + (rdev >>> 8 & 0xfff) + ":" + (rdev & 0xff | rdev >>> 12 & 0xfff00)
                    : "inode " + ino;
        }
    }

    /** The identity of the file at {@code path} now, or empty if there is none. */
    public static Optional<Identity> identify(Path path) {
        try {
            Map<String, Object> a = Files.readAttributes(path, "unix:dev,ino,rdev,mode,size,lastModifiedTime");
            int mode = (Integer) a.get("mode");
            int type = mode & 0170000;
            boolean node = type == 0060000 || type == 0020000;
            return Optional.of(new Identity(path.toRealPath().toString(), (Long) a.get("dev"), (Long) a.get("ino"),
                    (Long) a.get("rdev"), node, (Long) a.get("size"), ((FileTime) a.get("lastModifiedTime")).toMillis()));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** The entry for {@code key}, if recorded. */
    public Optional<Entry> find(String key) {
        return entries.stream().filter(e -> e.key().equals(key)).findFirst();
    }

    public byte[] encode() {
        StateOutput out = new StateOutput().u32(entries.size());
        for (Entry e : entries) {
            out.string(e.key()).string(e.path()).bool(e.identity().isPresent());
            if (e.identity().isPresent()) {
                Identity i = e.identity().get();
                out.string(i.realPath()).u64(i.dev()).u64(i.ino()).u64(i.rdev()).bool(i.deviceNode()).u64(i.size())
                        .u64(i.mtimeMillis());
            }
        }
        return out.toByteArray();
    }

    public static HostFiles decode(String what, int version, byte[] payload) throws SnapshotException {
        StateInput in = new StateInput(what, payload);
        if (version != VERSION) {
            throw in.bad("version " + version + " (this jvmm reads version " + VERSION + ")");
        }
        int n = in.u32();
        if (n < 0 || n > MAX_ENTRIES) {
            throw in.bad(Integer.toUnsignedString(n) + " host files (at most " + MAX_ENTRIES + ")");
        }
        List<Entry> entries = new java.util.ArrayList<>();
        for (int k = 0; k < n; k++) {
            String key = in.string(256);
            String path = in.string(MAX_PATH);
            Optional<Identity> identity = Optional.empty();
            if (in.bool()) {
                identity = Optional.of(new Identity(in.string(MAX_PATH), in.u64(), in.u64(), in.u64(), in.bool(),
                        in.u64(), in.u64()));
            }
            entries.add(new Entry(key, path, identity));
        }
        in.end();
        return new HostFiles(entries);
    }
}
