package io.jvmm.acpi;

import java.nio.ByteBuffer;

/** Extended System Description Table (ACPI 6.4, 5.2.8): 64-bit pointers to the other tables. */
final class Xsdt {
    static final String SIGNATURE = "XSDT";
    static final int REVISION = 1;

    private Xsdt() {
    }

    static int length(int entries) {
        return AcpiTable.HEADER_SIZE + 8 * entries;
    }

    static byte[] build(long... tables) {
        ByteBuffer b = AcpiTable.allocate(length(tables.length));
        b.position(AcpiTable.HEADER_SIZE);
        for (long t : tables) {
            b.putLong(t);
        }
        return AcpiTable.finish(SIGNATURE, REVISION, b);
    }
}
