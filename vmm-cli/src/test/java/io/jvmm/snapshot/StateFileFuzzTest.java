package io.jvmm.snapshot;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A snapshot state file of any content through {@link SnapshotFile#decode}: header, records,
 * and each record's decoder ({@link SnapshotConfig}, {@link VmState}, {@link VcpuState},
 * {@link MemoryIndex}, device states) on top of {@link StateInput}. A bad file is a
 * {@link SnapshotException}; anything else, or heap that grows with what a length field
 * claims rather than with the file, is a bug.
 *
 * <p>The last input byte picks the mode: odd, the rest is the file as it is (seeds are real
 * state files); even, records are built from the input and framed with correct checksums, as
 * {@link SnapshotFile#encode} frames them, so the fuzzer gets past the CRC32C to the decoders.
 */
class StateFileFuzzTest {
    private static final int[] TAGS = {SnapshotFile.TAG_CONFIG, SnapshotFile.TAG_VM, SnapshotFile.TAG_VCPU,
            SnapshotFile.TAG_DEVICE, SnapshotFile.TAG_MEMORY, SnapshotFile.TAG_END};

    @FuzzTest
    void stateFile(FuzzedDataProvider data) {
        byte[] file = data.consumeBoolean() ? data.consumeRemainingAsBytes() : framed(data);
        try {
            SnapshotFile.decode("state.bin", file);
        } catch (SnapshotException expected) {
            // not a state file this jvmm restores
        }
    }

    private static byte[] framed(FuzzedDataProvider data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer header = ByteBuffer.allocate(16);
        header.put(SnapshotFile.MAGIC).putInt(SnapshotFile.FORMAT_VERSION);
        header.putInt(SnapshotFile.crc(header.array(), 0, 12));
        out.writeBytes(header.array());
        int records = data.consumeInt(0, 12);
        for (int i = 0; i < records; i++) {
            int tag = data.consumeBoolean() ? data.pickValue(TAGS) : data.consumeInt();
            byte[] id = data.consumeString(16).getBytes(StandardCharsets.UTF_8);
            int version = data.consumeBoolean() ? 1 : data.consumeInt();
            byte[] payload = tag == SnapshotFile.TAG_END && data.consumeBoolean()
                    ? ByteBuffer.allocate(4).putInt(i).array()
                    : data.consumeBytes(data.consumeInt(0, 4096));
            ByteBuffer r = ByteBuffer.allocate(4 + 2 + id.length + 4 + 4 + payload.length + 4);
            r.putInt(tag).putShort((short) id.length).put(id).putInt(version).putInt(payload.length).put(payload);
            r.putInt(SnapshotFile.crc(r.array(), 0, r.position()));
            out.writeBytes(r.array());
        }
        return out.toByteArray();
    }
}
