package io.jvmm.acpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Root System Description Pointer (ACPI 6.4, 5.2.5.3), revision 2: points to the XSDT only
 * (RsdtAddress 0; an OS that understands revision 2 uses the XSDT, 5.2.5.3). The first
 * checksum covers the ACPI 1.0 part (20 bytes), the extended one all 36 bytes.
 */
final class Rsdp {
    static final int LENGTH = 36;
    static final int V1_LENGTH = 20;
    static final int REVISION = 2;
    static final int CHECKSUM = 8;
    static final int XSDT_ADDRESS = 24;
    static final int EXTENDED_CHECKSUM = 32;

    private Rsdp() {
    }

    static byte[] build(long xsdtAddress) {
        ByteBuffer b = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, AcpiTable.ascii("RSD PTR ", 8));
        b.put(9, AcpiTable.ascii(AcpiTable.OEM_ID, 6));
        b.put(15, (byte) REVISION);
        b.putInt(16, 0); // RsdtAddress
        b.putInt(20, LENGTH);
        b.putLong(XSDT_ADDRESS, xsdtAddress);
        byte[] t = b.array();
        Checksum.fix(t, 0, V1_LENGTH, CHECKSUM);
        Checksum.fix(t, 0, LENGTH, EXTENDED_CHECKSUM);
        return t;
    }
}
