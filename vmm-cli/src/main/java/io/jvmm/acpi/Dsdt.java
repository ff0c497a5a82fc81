package io.jvmm.acpi;

import io.jvmm.vm.X86Layout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.jvmm.acpi.Aml.device;
import static io.jvmm.acpi.Aml.eisaId;
import static io.jvmm.acpi.Aml.integer;
import static io.jvmm.acpi.Aml.name;
import static io.jvmm.acpi.Aml.pkg;
import static io.jvmm.acpi.Aml.scope;

/**
 * Differentiated System Description Table (ACPI 6.4, 5.2.11.1): the sleep state S5 and the
 * devices the OS cannot enumerate by itself: the PCI Express root bridge with its windows and
 * INTx routing, COM1 and the PS/2 keyboard.
 */
public final class Dsdt {
    static final String SIGNATURE = "DSDT";
    /** Revision 2: AML integers are 64 bits wide (5.2.11.1). */
    static final int REVISION = 2;
    /**
     * SLP_TYP for S5 (soft off). The VMM's PM1a control block powers the VM off when the guest
     * writes SLP_EN with this SLP_TYP (4.8.3.2.1, 7.4.2 "\_Sx").
     */
    public static final int S5_SLP_TYP = 5;
    static final int PCI_SLOTS = 32;
    static final int INTX_PINS = 4;

    private Dsdt() {
    }

    /**
     * @param mmio64Start first address of the 64-bit PCI BAR window
     * @param mmio64Size  its size; 0 for no 64-bit window
     */
    static byte[] build(long mmio64Start, long mmio64Size) {
        byte[] aml = Aml.concat(
                // \_S5: {SLP_TYPa, SLP_TYPb, reserved, reserved} (7.4.2).
                name("\\_S5_", pkg(integer(S5_SLP_TYP), integer(S5_SLP_TYP), integer(0), integer(0))),
                scope("\\_SB_", pci0(mmio64Start, mmio64Size), com1(), keyboard()));
        byte[] table = new byte[AcpiTable.HEADER_SIZE + aml.length];
        System.arraycopy(aml, 0, table, AcpiTable.HEADER_SIZE, aml.length);
        return AcpiTable.finish(SIGNATURE, REVISION, ByteBuffer.wrap(table));
    }

    /** A PCI Express host bridge (PNP0A08, compatible with PCI PNP0A03) for segment 0, bus 0 (6.1, 6.5.6). */
    static byte[] pci0(long mmio64Start, long mmio64Size) {
        ResourceTemplate crs = new ResourceTemplate()
                .wordBusNumber(0, 0)
                // The bridge itself decodes the legacy config mechanism ports.
                .io(X86Layout.PCI_CONFIG_ADDRESS_PORT, X86Layout.PCI_CONFIG_ADDRESS_PORT, 0x01, 0x08)
                .wordIo(0x0000, X86Layout.PCI_CONFIG_ADDRESS_PORT - 1)
                .wordIo(X86Layout.PCI_CONFIG_ADDRESS_PORT + 8, 0xffff)
                .dwordMemory(X86Layout.PCI_MMIO32_START, X86Layout.PCI_MMIO32_END - 1, false);
        if (mmio64Size > 0) {
            crs.qwordMemory(mmio64Start, mmio64Start + mmio64Size - 1, true);
        }
        return device("PCI0",
                name("_HID", eisaId("PNP0A08")),
                name("_CID", eisaId("PNP0A03")),
                name("_ADR", integer(0)),
                name("_SEG", integer(0)),
                name("_UID", integer(0)),
                name("_BBN", integer(0)),
                name("_CRS", crs.toAml()),
                name("_PRT", prt()));
    }

    /**
     * PCI routing table (6.2.13): for each slot 1-31 and pin INTA-INTD, {address 0xSSSSFFFF
     * (any function of slot S), pin, source 0 (a GSI, not a link device), GSI}.
     */
    static byte[] prt() {
        List<byte[]> entries = new ArrayList<>();
        for (int slot = 1; slot < PCI_SLOTS; slot++) {
            for (int pin = 0; pin < INTX_PINS; pin++) {
                entries.add(pkg(
                        integer(((long) slot << 16) | 0xffff),
                        integer(pin),
                        integer(0),
                        integer(X86Layout.pciIntxGsi(slot, pin))));
            }
        }
        return pkg(entries.toArray(byte[][]::new));
    }

    /** The first 16550 UART (PNP0501). */
    static byte[] com1() {
        return device("COM1",
                name("_HID", eisaId("PNP0501")),
                name("_UID", integer(1)),
                name("_CRS", new ResourceTemplate()
                        .io(X86Layout.COM1_PORT, X86Layout.COM1_PORT, 0x01, 0x08)
                        .irqNoFlags(X86Layout.COM1_IRQ)
                        .toAml()));
    }

    /** The i8042's keyboard port (PNP0303), so Linux's i8042 driver finds it through PNP. */
    static byte[] keyboard() {
        return device("PS2K",
                name("_HID", eisaId("PNP0303")),
                name("_CRS", new ResourceTemplate()
                        .io(X86Layout.I8042_DATA_PORT, X86Layout.I8042_DATA_PORT, 0x01, 0x01)
                        .io(X86Layout.I8042_COMMAND_PORT, X86Layout.I8042_COMMAND_PORT, 0x01, 0x01)
                        .irqNoFlags(X86Layout.I8042_KBD_IRQ)
                        .toAml()));
    }
}
