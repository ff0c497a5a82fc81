package io.jvmm.snapshot;

/**
 * The VM config a snapshot was taken with: the TOML text, the path it was read from (relative
 * paths in it resolve against that file's directory) and the values restore must match.
 */
public record SnapshotConfig(String sourcePath, String toml, long memoryBytes, int vcpus) {
    public static final int VERSION = 1;
    static final int MAX_TOML = 1 << 20;

    public SnapshotConfig {
        if (memoryBytes <= 0 || vcpus <= 0) {
            throw new IllegalArgumentException("memory " + memoryBytes + ", vCPUs " + vcpus);
        }
    }

    public byte[] encode() {
        return new StateOutput().string(sourcePath).string(toml).u64(memoryBytes).u32(vcpus).toByteArray();
    }

    public static SnapshotConfig decode(String what, int version, byte[] payload) throws SnapshotException {
        StateInput in = new StateInput(what, payload);
        if (version != VERSION) {
            throw in.bad("version " + version + " (this jvmm reads version " + VERSION + ")");
        }
        String source = in.string(4096);
        String toml = in.string(MAX_TOML);
        long mem = in.u64();
        int vcpus = in.u32();
        in.end();
        try {
            return new SnapshotConfig(source, toml, mem, vcpus);
        } catch (IllegalArgumentException e) {
            throw in.bad(e.getMessage());
        }
    }
}
