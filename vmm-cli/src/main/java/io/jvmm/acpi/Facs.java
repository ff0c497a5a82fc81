package io.jvmm.acpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Firmware ACPI Control Structure (ACPI 6.4, 5.2.10). A non-hardware-reduced FADT must point
 * to one; it holds the global lock and the waking vector, both unused here (no S3/S4, no
 * AML that takes the lock). It has no checksum and must be 64-byte aligned.
 */
final class Facs {
    static final int LENGTH = 64;
    static final int ALIGNMENT = 64;
    static final int VERSION = 2;

    private Facs() {
    }

    static byte[] build() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, AcpiTable.ascii("FACS", 4));
        b.putInt(4, LENGTH);
        b.put(32, (byte) VERSION);
        return b.array();
    }
}
