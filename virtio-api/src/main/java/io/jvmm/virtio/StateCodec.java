package io.jvmm.virtio;

import io.jvmm.spi.Snapshottable.StateException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Big-endian encoding of snapshot state records. Decoding is of untrusted bytes: running out,
 * a length that does not fit, or bytes left over are a {@link StateException} naming what was
 * being read, never an exception of another kind.
 */
public final class StateCodec {
    /** Longest string or byte array a state record holds (paths, serials, config space). */
    static final int MAX_BYTES = 64 * 1024;

    private StateCodec() {
    }

    /** Builds a record. */
    public static final class Writer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        public Writer putInt(int v) {
            try {
                out.writeInt(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        public Writer putLong(long v) {
            try {
                out.writeLong(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        public Writer putBoolean(boolean v) {
            return putInt(v ? 1 : 0);
        }

        public Writer putBytes(byte[] v) {
            putInt(v.length);
            try {
                out.write(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        public Writer putString(String v) {
            return putBytes(v.getBytes(StandardCharsets.UTF_8));
        }

        public byte[] toByteArray() {
            return bytes.toByteArray();
        }
    }

    /** Reads a record; {@code what} names it in errors. */
    public static final class Reader {
        private final String what;
        private final DataInputStream in;
        private final ByteArrayInputStream bytes;

        public Reader(String what, byte[] data) {
            this.what = what;
            this.bytes = new ByteArrayInputStream(data);
            this.in = new DataInputStream(bytes);
        }

        public int getInt(String field) throws StateException {
            try {
                return in.readInt();
            } catch (IOException e) {
                throw truncated(field);
            }
        }

        public long getLong(String field) throws StateException {
            try {
                return in.readLong();
            } catch (IOException e) {
                throw truncated(field);
            }
        }

        public boolean getBoolean(String field) throws StateException {
            int v = getInt(field);
            if (v != 0 && v != 1) {
                throw new StateException(what + ": " + field + " is " + v + ", not a boolean");
            }
            return v == 1;
        }

        public byte[] getBytes(String field) throws StateException {
            int n = getInt(field + " length");
            if (n > bytes.available() && n <= MAX_BYTES) {
                throw truncated(field);
            }
            if (n < 0 || n > MAX_BYTES) {
                throw new StateException(what + ": " + field + " has length " + n + " (" + bytes.available()
                        + " bytes left)");
            }
            byte[] b = new byte[n];
            try {
                in.readFully(b);
            } catch (IOException e) {
                throw truncated(field);
            }
            return b;
        }

        public String getString(String field) throws StateException {
            return new String(getBytes(field), StandardCharsets.UTF_8);
        }

        /** Call after the last field: bytes left over mean the record is not what we think it is. */
        public void end() throws StateException {
            if (bytes.available() != 0) {
                throw new StateException(what + ": " + bytes.available() + " unexpected bytes after the last field");
            }
        }

        private StateException truncated(String field) {
            return new StateException(what + ": truncated at " + field);
        }
    }

    /** A device state record: a version, then the fields. */
    public static Reader open(String what, byte[] data, int expectedVersion) throws StateException {
        Reader r = new Reader(what, data);
        int version = r.getInt("version");
        if (version != expectedVersion) {
            throw new StateException(what + ": state version " + version + ", this jvmm reads version "
                    + expectedVersion);
        }
        return r;
    }
}
