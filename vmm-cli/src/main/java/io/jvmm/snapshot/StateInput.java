package io.jvmm.snapshot;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads an untrusted record payload written by {@link StateOutput}: every read is bounds
 * checked and fails with a {@link SnapshotException} naming the record.
 */
public final class StateInput {
    private final String what;
    private final ByteBuffer in;

    public StateInput(String what, byte[] payload) {
        this.what = what;
        this.in = ByteBuffer.wrap(payload);
    }

    public int u8() throws SnapshotException {
        need(1);
        return in.get() & 0xff;
    }

    public int u32() throws SnapshotException {
        need(4);
        return in.getInt();
    }

    public long u64() throws SnapshotException {
        need(8);
        return in.getLong();
    }

    public boolean bool() throws SnapshotException {
        int v = u8();
        if (v > 1) {
            throw bad("boolean " + v);
        }
        return v == 1;
    }

    /** A length-prefixed byte string of at most {@code max} bytes. */
    public byte[] bytes(int max) throws SnapshotException {
        int n = u32();
        if (n < 0 || n > max) {
            throw bad("length " + Integer.toUnsignedString(n) + " (at most " + max + ")");
        }
        need(n);
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    /** Exactly {@code n} bytes, length-prefixed. */
    public byte[] bytesExactly(int n) throws SnapshotException {
        byte[] b = bytes(n);
        if (b.length != n) {
            throw bad("field of " + b.length + " bytes where " + n + " were expected");
        }
        return b;
    }

    public String string(int maxBytes) throws SnapshotException {
        byte[] b = bytes(maxBytes);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw bad("text that is not UTF-8");
        }
    }

    /** Fails unless every byte was read (trailing garbage means a different layout). */
    public void end() throws SnapshotException {
        if (in.hasRemaining()) {
            throw bad(in.remaining() + " unexpected trailing bytes");
        }
    }

    public SnapshotException bad(String problem) {
        return new SnapshotException(what + ": " + problem);
    }

    private void need(int n) throws SnapshotException {
        if (in.remaining() < n) {
            throw bad("record ends early");
        }
    }

    /** For code that wants the checked exception out of a lambda. */
    static SnapshotException underflow(String what, BufferUnderflowException e) {
        return new SnapshotException(what + ": record ends early", e);
    }
}
