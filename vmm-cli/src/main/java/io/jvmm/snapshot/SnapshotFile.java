package io.jvmm.snapshot;

import io.jvmm.spi.ComponentState;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The snapshot's state file ({@value #STATE_FILE}): a header, then records, then an end
 * record.
 *
 * <pre>
 * header:  "JVMMSNAP" (8 bytes) | u32 format version | u32 CRC32C of the 12 bytes before
 * record:  u32 tag | u16 id length | id (UTF-8) | u32 record version | u32 payload length
 *          | payload | u32 CRC32C of everything from the tag to the end of the payload
 * tags:    CONF (config), VMST (VM state), VCPU (one per vCPU, id "vcpuN"),
 *          DEVS (one per device, id = device id, version = the device's own), MEMI (memory index),
 *          HOST (the host files the config names and their identities; optional),
 *          END! (payload: u32 number of records before it; a file that stops earlier is truncated)
 * </pre>
 * All integers are big-endian. Everything read is untrusted: any mismatch is a
 * {@link SnapshotException} with a one-line message.
 */
public final class SnapshotFile {
    public static final String STATE_FILE = "state.bin";
    public static final String CONFIG_COPY = "config.toml";
    public static final int FORMAT_VERSION = 1;
    static final byte[] MAGIC = "JVMMSNAP".getBytes(StandardCharsets.US_ASCII);
    static final int TAG_CONFIG = tag("CONF");
    static final int TAG_VM = tag("VMST");
    static final int TAG_VCPU = tag("VCPU");
    static final int TAG_DEVICE = tag("DEVS");
    static final int TAG_MEMORY = tag("MEMI");
    static final int TAG_HOST_FILES = tag("HOST");
    static final int TAG_END = tag("END!");
    private static final int MAX_STATE_FILE = 64 << 20;
    private static final int MAX_RECORD = 16 << 20;

    private SnapshotFile() {
    }

    private static int tag(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static String tagName(int tag) {
        byte[] b = {(byte) (tag >>> 24), (byte) (tag >>> 16), (byte) (tag >>> 8), (byte) tag};
        return new String(b, StandardCharsets.US_ASCII).replaceAll("[^ -~]", "?");
    }

    /** The bytes of the state file for {@code snapshot}. */
    public static byte[] encode(Snapshot snapshot) {
        ByteBuffer header = ByteBuffer.allocate(16);
        header.put(MAGIC).putInt(FORMAT_VERSION);
        header.putInt(crc(header.array(), 0, 12));
        List<byte[]> records = new ArrayList<>();
        records.add(header.array());
        records.add(record(TAG_CONFIG, "config", SnapshotConfig.VERSION, snapshot.config().encode()));
        records.add(record(TAG_VM, "vm", VmState.VERSION, snapshot.vm().encode()));
        for (VcpuState v : snapshot.vcpus()) {
            records.add(record(TAG_VCPU, "vcpu" + v.index(), VcpuState.VERSION, v.encode()));
        }
        for (ComponentState d : snapshot.devices()) {
            records.add(record(TAG_DEVICE, d.id(), d.version(), d.payload()));
        }
        records.add(record(TAG_MEMORY, "memory", MemoryIndex.VERSION, snapshot.memory().encode()));
        if (!snapshot.hostFiles().entries().isEmpty()) {
            records.add(record(TAG_HOST_FILES, "host-files", HostFiles.VERSION, snapshot.hostFiles().encode()));
        }
        int count = records.size() - 1;
        records.add(record(TAG_END, "end", 1, ByteBuffer.allocate(4).putInt(count).array()));
        int total = records.stream().mapToInt(r -> r.length).sum();
        ByteBuffer all = ByteBuffer.allocate(total);
        records.forEach(all::put);
        return all.array();
    }

    private static byte[] record(int tag, String id, int version, byte[] payload) {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        if (idBytes.length > 0xffff) {
            throw new IllegalArgumentException("component id too long: " + id);
        }
        ByteBuffer b = ByteBuffer.allocate(4 + 2 + idBytes.length + 4 + 4 + payload.length + 4);
        b.putInt(tag).putShort((short) idBytes.length).put(idBytes).putInt(version).putInt(payload.length).put(payload);
        b.putInt(crc(b.array(), 0, b.position()));
        return b.array();
    }

    static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    /**
     * Writes the state file and a readable copy of the config into {@code dir}, a
     * {@link SnapshotDirWriter}'s directory (new files, mode 0600, fsynced).
     */
    public static void write(Path dir, Snapshot snapshot) throws IOException {
        SnapshotDirWriter.writePrivate(dir.resolve(STATE_FILE), encode(snapshot));
        SnapshotDirWriter.writePrivate(dir.resolve(CONFIG_COPY), ("# copy of " + snapshot.config().sourcePath()
                + " (for reading; restore uses the copy inside " + STATE_FILE + ")\n" + snapshot.config().toml())
                .getBytes(StandardCharsets.UTF_8));
    }

    /** Reads and checks {@code dir}/state.bin. */
    public static Snapshot read(Path dir) throws SnapshotException {
        Path file = dir.resolve(STATE_FILE);
        byte[] bytes;
        try {
            if (!Files.isDirectory(dir)) {
                throw new SnapshotException("snapshot " + dir + ": no such directory");
            }
            // Read no further than the limit: a FIFO or /dev/zero reports size 0 and never ends.
            try (java.io.InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_STATE_FILE + 1);
            }
            if (bytes.length > MAX_STATE_FILE) {
                throw new SnapshotException(file + ": too large for a snapshot state file");
            }
        } catch (NoSuchFileException e) {
            throw new SnapshotException("snapshot " + dir + ": no " + STATE_FILE + " (not a jvmm snapshot)");
        } catch (IOException e) {
            throw new SnapshotException(file + ": cannot read: " + e.getMessage(), e);
        }
        return decode(file.toString(), bytes);
    }

    /** Parses state file bytes; {@code name} is used in messages. */
    public static Snapshot decode(String name, byte[] bytes) throws SnapshotException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (bytes.length < 16) {
            throw new SnapshotException(name + ": truncated (" + bytes.length + " bytes, no complete header)");
        }
        byte[] magic = new byte[8];
        in.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new SnapshotException(name + ": not a jvmm snapshot (bad magic number)");
        }
        int version = in.getInt();
        int headerCrc = in.getInt();
        if (headerCrc != crc(bytes, 0, 12)) {
            throw new SnapshotException(name + ": header checksum mismatch (the file is corrupted)");
        }
        if (version != FORMAT_VERSION) {
            throw new SnapshotException(name + ": snapshot format version " + version + ", this jvmm reads version "
                    + FORMAT_VERSION);
        }
        SnapshotConfig config = null;
        VmState vm = null;
        MemoryIndex memory = null;
        HostFiles hostFiles = HostFiles.NONE;
        List<VcpuState> vcpus = new ArrayList<>();
        List<ComponentState> devices = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int count = 0;
        while (true) {
            int start = in.position();
            if (in.remaining() < 4 + 2) {
                throw truncated(name);
            }
            int tag = in.getInt();
            int idLen = in.getShort() & 0xffff;
            if (in.remaining() < idLen + 8) {
                throw truncated(name);
            }
            byte[] idBytes = new byte[idLen];
            in.get(idBytes);
            String id = new String(idBytes, StandardCharsets.UTF_8);
            String shownId = id.replaceAll("[^ -~]", "?");
            int recVersion = in.getInt();
            int length = in.getInt();
            if (length < 0 || length > MAX_RECORD) {
                // Either corruption or a cut file; the checksum cannot be checked without the payload.
                throw new SnapshotException(name + ": record " + tagName(tag) + " '" + shownId + "' claims "
                        + Integer.toUnsignedString(length) + " bytes (corrupted)");
            }
            if (in.remaining() < length + 4) {
                throw truncated(name);
            }
            byte[] payload = new byte[length];
            in.get(payload);
            int recordCrc = in.getInt();
            if (recordCrc != crc(bytes, start, in.position() - 4 - start)) {
                throw new SnapshotException(name + ": checksum mismatch in record " + tagName(tag) + " '" + shownId
                        + "' (the file is corrupted)");
            }
            String what = name + ": " + tagName(tag) + " '" + shownId + "'";
            if (tag == TAG_END) {
                if (payload.length != 4 || ByteBuffer.wrap(payload).getInt() != count) {
                    throw new SnapshotException(name + ": end record does not match the " + count + " records read");
                }
                if (in.hasRemaining()) {
                    throw new SnapshotException(name + ": " + in.remaining() + " bytes after the end record");
                }
                break;
            }
            count++;
            if (!seen.add(tagName(tag) + "/" + id)) {
                throw new SnapshotException(what + " appears twice");
            }
            if (tag == TAG_CONFIG) {
                config = SnapshotConfig.decode(what, recVersion, payload);
            } else if (tag == TAG_VM) {
                vm = VmState.decode(what, recVersion, payload);
            } else if (tag == TAG_VCPU) {
                vcpus.add(VcpuState.decode(what, recVersion, payload));
            } else if (tag == TAG_DEVICE) {
                devices.add(new ComponentState(id, recVersion, payload));
            } else if (tag == TAG_MEMORY) {
                memory = MemoryIndex.decode(what, recVersion, payload);
            } else if (tag == TAG_HOST_FILES) {
                hostFiles = HostFiles.decode(what, recVersion, payload);
            } else {
                throw new SnapshotException(what + ": unknown record type (written by a newer jvmm?)");
            }
        }
        if (config == null || vm == null || memory == null) {
            throw new SnapshotException(name + ": incomplete snapshot (missing "
                    + (config == null ? "config" : vm == null ? "VM state" : "memory index") + ")");
        }
        if (vcpus.size() != config.vcpus()) {
            throw new SnapshotException(name + ": " + vcpus.size() + " vCPU records for " + config.vcpus() + " vCPUs");
        }
        for (int i = 0; i < vcpus.size(); i++) {
            if (vcpus.get(i).index() != i) {
                throw new SnapshotException(name + ": vCPU record " + i + " is for vCPU " + vcpus.get(i).index());
            }
        }
        if (memory.fileSize() != config.memoryBytes()) {
            throw new SnapshotException(name + ": memory index covers " + memory.fileSize() + " bytes, the config has "
                    + config.memoryBytes());
        }
        return new Snapshot(config, vm, vcpus, devices, memory, hostFiles);
    }

    private static SnapshotException truncated(String name) {
        return new SnapshotException(name + ": truncated (the file ends inside a record)");
    }
}
