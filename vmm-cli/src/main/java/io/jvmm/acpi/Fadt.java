package io.jvmm.acpi;

import io.jvmm.vm.X86Layout;

import java.nio.ByteBuffer;

/**
 * Fixed ACPI Description Table (ACPI 6.4, 5.2.9), revision 6.4, for the full (not
 * hardware-reduced) ACPI model: the VMM emulates the PM1a event and control blocks and the
 * reset register; there is no PM timer, no GPE block and no SMI command port, so the OS sees
 * ACPI as already enabled (5.2.9: "SMI_CMD ... zero if ... not supported").
 */
final class Fadt {
    static final String SIGNATURE = "FACP";
    static final int REVISION = 6;
    static final int MINOR_REVISION = 4;
    static final int LENGTH = 276;

    // Field offsets (ACPI 6.4, Table 5.9).
    static final int FIRMWARE_CTRL = 36;
    static final int DSDT = 40;
    static final int SCI_INT = 46;
    static final int SMI_CMD = 48;
    static final int PM1A_EVT_BLK = 56;
    static final int PM1A_CNT_BLK = 64;
    static final int PM_TMR_BLK = 76;
    static final int PM1_EVT_LEN = 88;
    static final int PM1_CNT_LEN = 89;
    static final int P_LVL2_LAT = 96;
    static final int P_LVL3_LAT = 98;
    static final int IAPC_BOOT_ARCH = 109;
    static final int FLAGS = 112;
    static final int RESET_REG = 116;
    static final int RESET_VALUE = 128;
    static final int FADT_MINOR_VERSION = 131;
    static final int X_FIRMWARE_CTRL = 132;
    static final int X_DSDT = 140;
    static final int X_PM1A_EVT_BLK = 148;
    static final int X_PM1A_CNT_BLK = 172;
    static final int HYPERVISOR_VENDOR_ID = 268;

    static final int PM1_EVT_BYTES = 4;
    static final int PM1_CNT_BYTES = 2;
    /** Latencies above 100 and 1000 us say C2 and C3 are not supported (Table 5.9). */
    static final int C2_NOT_SUPPORTED = 101;
    static final int C3_NOT_SUPPORTED = 1001;

    // IA-PC boot architecture flags (Table 5.11).
    static final int BOOT_ARCH_8042 = 1 << 1;
    static final int BOOT_ARCH_VGA_NOT_PRESENT = 1 << 2;

    // Fixed feature flags (Table 5.10).
    static final int WBINVD = 1;
    static final int PROC_C1 = 1 << 2;
    /** Set: no fixed-feature power button (there is no control-method one either yet). */
    static final int PWR_BUTTON = 1 << 4;
    /** Set: no fixed-feature sleep button. */
    static final int SLP_BUTTON = 1 << 5;
    static final int RESET_REG_SUP = 1 << 10;

    /** PIIX-compatible reset: writing 0x06 (SYS_RST | RST_CPU) to 0xCF9 resets the machine. */
    static final int RESET_COMMAND = 0x06;

    private Fadt() {
    }

    static byte[] build(long dsdtAddress, long facsAddress) {
        ByteBuffer b = AcpiTable.allocate(LENGTH);
        b.putInt(FIRMWARE_CTRL, (int) facsAddress);
        b.putInt(DSDT, (int) dsdtAddress);
        b.putShort(SCI_INT, (short) X86Layout.ACPI_SCI_IRQ);
        b.putInt(SMI_CMD, 0);
        b.putInt(PM1A_EVT_BLK, X86Layout.ACPI_PM1A_EVT_PORT);
        b.putInt(PM1A_CNT_BLK, X86Layout.ACPI_PM1A_CNT_PORT);
        b.putInt(PM_TMR_BLK, 0);
        b.put(PM1_EVT_LEN, (byte) PM1_EVT_BYTES);
        b.put(PM1_CNT_LEN, (byte) PM1_CNT_BYTES);
        b.putShort(P_LVL2_LAT, (short) C2_NOT_SUPPORTED);
        b.putShort(P_LVL3_LAT, (short) C3_NOT_SUPPORTED);
        b.putShort(IAPC_BOOT_ARCH, (short) (BOOT_ARCH_8042 | BOOT_ARCH_VGA_NOT_PRESENT));
        b.putInt(FLAGS, WBINVD | PROC_C1 | PWR_BUTTON | SLP_BUTTON | RESET_REG_SUP);
        GenericAddress.io(X86Layout.RESET_PORT, 8, GenericAddress.ACCESS_BYTE).writeTo(b, RESET_REG);
        b.put(RESET_VALUE, (byte) RESET_COMMAND);
        b.put(FADT_MINOR_VERSION, (byte) MINOR_REVISION);
        b.putLong(X_FIRMWARE_CTRL, facsAddress);
        b.putLong(X_DSDT, dsdtAddress);
        // The 64-bit blocks repeat the 32-bit ones with matching widths, or ACPICA warns
        // about a 32/64X length mismatch (tbfadt.c).
        GenericAddress.io(X86Layout.ACPI_PM1A_EVT_PORT, PM1_EVT_BYTES * 8, GenericAddress.ACCESS_WORD)
                .writeTo(b, X_PM1A_EVT_BLK);
        GenericAddress.io(X86Layout.ACPI_PM1A_CNT_PORT, PM1_CNT_BYTES * 8, GenericAddress.ACCESS_WORD)
                .writeTo(b, X_PM1A_CNT_BLK);
        b.put(HYPERVISOR_VENDOR_ID, AcpiTable.ascii("JVMM", 4));
        return AcpiTable.finish(SIGNATURE, REVISION, b);
    }
}
