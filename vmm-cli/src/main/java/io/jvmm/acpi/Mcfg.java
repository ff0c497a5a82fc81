package io.jvmm.acpi;

import io.jvmm.vm.X86Layout;

import java.nio.ByteBuffer;

/**
 * PCI Express memory-mapped configuration table (PCI Firmware Specification 3.2, 4.1.2): one
 * ECAM allocation for segment 0, bus 0 only.
 */
final class Mcfg {
    static final String SIGNATURE = "MCFG";
    static final int REVISION = 1;
    static final int LENGTH = AcpiTable.HEADER_SIZE + 8 + 16;

    private Mcfg() {
    }

    static byte[] build() {
        ByteBuffer b = AcpiTable.allocate(LENGTH);
        b.position(AcpiTable.HEADER_SIZE + 8); // 8 reserved bytes
        b.putLong(X86Layout.PCI_ECAM_START);
        b.putShort((short) 0); // PCI segment group
        b.put((byte) 0); // start bus
        b.put((byte) (X86Layout.PCI_ECAM_SIZE / (1 << 20) - 1)); // end bus: 1 MiB of ECAM per bus
        return AcpiTable.finish(SIGNATURE, REVISION, b);
    }
}
