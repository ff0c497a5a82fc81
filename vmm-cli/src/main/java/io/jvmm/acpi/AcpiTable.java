package io.jvmm.acpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Wraps a table body in the System Description Table Header (ACPI 6.4, 5.2.6) and checksums it. */
final class AcpiTable {
    static final int HEADER_SIZE = 36;
    static final int LENGTH_OFFSET = 4;
    static final int CHECKSUM_OFFSET = 9;
    static final String OEM_ID = "JVMM  ";
    static final String OEM_TABLE_ID = "JVMMVM  ";
    static final int OEM_REVISION = 1;
    static final String CREATOR_ID = "JVMM";
    static final int CREATOR_REVISION = 1;

    private AcpiTable() {
    }

    /**
     * A whole table whose first {@link #HEADER_SIZE} bytes of {@code table} are overwritten
     * with the header; the caller has filled the rest.
     */
    static byte[] finish(String signature, int revision, ByteBuffer table) {
        byte[] t = table.array();
        ByteBuffer b = ByteBuffer.wrap(t).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, ascii(signature, 4));
        b.putInt(LENGTH_OFFSET, t.length);
        b.put(8, (byte) revision);
        b.put(10, ascii(OEM_ID, 6));
        b.put(16, ascii(OEM_TABLE_ID, 8));
        b.putInt(24, OEM_REVISION);
        b.put(28, ascii(CREATOR_ID, 4));
        b.putInt(32, CREATOR_REVISION);
        Checksum.fix(t, 0, t.length, CHECKSUM_OFFSET);
        return t;
    }

    /** A zeroed little-endian buffer for a table of {@code length} bytes, header included. */
    static ByteBuffer allocate(int length) {
        return ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    }

    static byte[] ascii(String s, int length) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        if (b.length != length) {
            throw new IllegalArgumentException("'" + s + "' is not " + length + " characters");
        }
        return b;
    }
}
