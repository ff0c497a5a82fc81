package io.jvmm.snapshot;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Builds a record payload: little helpers over a big-endian DataOutputStream. */
public final class StateOutput {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);

    public StateOutput u8(int v) {
        return run(() -> out.writeByte(v));
    }

    public StateOutput u32(int v) {
        return run(() -> out.writeInt(v));
    }

    public StateOutput u64(long v) {
        return run(() -> out.writeLong(v));
    }

    public StateOutput bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    /** A length-prefixed byte string. */
    public StateOutput bytes(byte[] v) {
        return run(() -> {
            out.writeInt(v.length);
            out.write(v);
        });
    }

    /** A length-prefixed UTF-8 string. */
    public StateOutput string(String v) {
        return bytes(v.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] toByteArray() {
        return bytes.toByteArray();
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private StateOutput run(IoAction a) {
        try {
            a.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return this;
    }
}
