package io.jvmm.acpi;

import io.jvmm.vm.X86Layout;

import java.nio.ByteBuffer;

/**
 * Multiple APIC Description Table (ACPI 6.4, 5.2.12): one local APIC per vCPU (APIC id = vCPU
 * index), the IOAPIC with GSIs 0-23, the SCI's interrupt source override, and LINT1 as NMI.
 * ISA IRQs other than the SCI map to the same-numbered GSI, as KVM's default routing does.
 */
final class Madt {
    static final String SIGNATURE = "APIC";
    static final int REVISION = 5;
    static final int PCAT_COMPAT = 1;

    static final int TYPE_LOCAL_APIC = 0;
    static final int TYPE_IO_APIC = 1;
    static final int TYPE_INTERRUPT_SOURCE_OVERRIDE = 2;
    static final int TYPE_LOCAL_APIC_NMI = 4;
    static final int LOCAL_APIC_LENGTH = 8;
    static final int IO_APIC_LENGTH = 12;
    static final int OVERRIDE_LENGTH = 10;
    static final int LOCAL_APIC_NMI_LENGTH = 6;
    static final int LOCAL_APIC_ENABLED = 1;
    /** MPS INTI flags (5.2.12.5): polarity bits 1-0 = 01 active high, trigger bits 3-2 = 11 level. */
    static final int ACTIVE_HIGH_LEVEL = 0x000d;
    static final int ALL_PROCESSORS = 0xff;

    private Madt() {
    }

    /** The IOAPIC's id: after the local APIC ids, so no id is used twice. */
    static int ioApicId(int vcpus) {
        return vcpus;
    }

    static byte[] build(int vcpus) {
        int length = AcpiTable.HEADER_SIZE + 8 + vcpus * LOCAL_APIC_LENGTH + IO_APIC_LENGTH + OVERRIDE_LENGTH
                + LOCAL_APIC_NMI_LENGTH;
        ByteBuffer b = AcpiTable.allocate(length);
        b.position(AcpiTable.HEADER_SIZE);
        b.putInt((int) X86Layout.LAPIC_ADDRESS);
        b.putInt(PCAT_COMPAT); // dual 8259s present: the OS must mask them when it uses the APICs
        for (int cpu = 0; cpu < vcpus; cpu++) {
            b.put((byte) TYPE_LOCAL_APIC).put((byte) LOCAL_APIC_LENGTH)
                    .put((byte) cpu) // ACPI processor UID
                    .put((byte) cpu) // APIC id
                    .putInt(LOCAL_APIC_ENABLED);
        }
        b.put((byte) TYPE_IO_APIC).put((byte) IO_APIC_LENGTH)
                .put((byte) ioApicId(vcpus)).put((byte) 0)
                .putInt((int) X86Layout.IOAPIC_ADDRESS)
                .putInt(0); // GSI base
        // The SCI defaults to level/active low (5.2.9, SCI_INT); the VMM drives it active high.
        b.put((byte) TYPE_INTERRUPT_SOURCE_OVERRIDE).put((byte) OVERRIDE_LENGTH)
                .put((byte) 0) // bus: ISA
                .put((byte) X86Layout.ACPI_SCI_IRQ)
                .putInt(X86Layout.ACPI_SCI_IRQ)
                .putShort((short) ACTIVE_HIGH_LEVEL);
        b.put((byte) TYPE_LOCAL_APIC_NMI).put((byte) LOCAL_APIC_NMI_LENGTH)
                .put((byte) ALL_PROCESSORS)
                .putShort((short) 0) // flags: conforms to the bus
                .put((byte) 1); // LINT1
        return AcpiTable.finish(SIGNATURE, REVISION, b);
    }
}
