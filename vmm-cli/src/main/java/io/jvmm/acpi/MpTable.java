package io.jvmm.acpi;

import io.jvmm.spi.GuestMemory;
import io.jvmm.vm.X86Layout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Intel MultiProcessor Specification 1.4 tables, which Linux uses to find the CPUs and
 * the IOAPIC when booted with {@code acpi=off}. The floating pointer sits at the start of the
 * last KiB of base memory ({@link X86Layout#EBDA_START}, one of the places Linux searches, MP
 * spec 4); the configuration table it points to at {@link X86Layout#MP_CONFIG_TABLE}.
 */
public final class MpTable {
    static final int FLOATING_POINTER_LENGTH = 16;
    static final int HEADER_LENGTH = 44;
    static final int SPEC_REVISION = 4; // 1.4

    // Entry types and lengths (MP spec 4.3, Table 4-3).
    static final int PROCESSOR = 0;
    static final int BUS = 1;
    static final int IO_APIC = 2;
    static final int IO_INTERRUPT = 3;
    static final int LOCAL_INTERRUPT = 4;
    static final int PROCESSOR_LENGTH = 20;
    static final int OTHER_LENGTH = 8;

    static final int CPU_ENABLED = 1;
    static final int CPU_BOOTSTRAP = 2;
    /** Local APIC and IOAPIC versions as KVM's in-kernel irqchip reports them. */
    static final int LOCAL_APIC_VERSION = 0x14;
    static final int IO_APIC_VERSION = 0x11;
    /** CPUID signature family 6, and features FPU (bit 0) and APIC (bit 9) (MP spec 4.3.1). */
    static final int CPU_SIGNATURE = 0x600;
    static final int CPU_FEATURES = 0x201;

    // Interrupt types (MP spec 4.3.4, Table 4-10).
    static final int INT = 0;
    static final int NMI = 1;
    static final int EXT_INT = 3;
    /** Polarity and trigger "conform to the specifications of the bus". */
    static final int CONFORMING = 0;

    static final int PCI_BUS_ID = 0;
    static final int ISA_BUS_ID = 1;
    static final int ISA_IRQS = 16;
    static final int PCI_SLOTS = 32;
    static final int INTX_PINS = 4;
    static final int ALL_LOCAL_APICS = 0xff;

    private MpTable() {
    }

    /** Number of entries in the configuration table for {@code vcpus} processors. */
    static int entryCount(int vcpus) {
        return vcpus + 2 /* buses */ + 1 /* IOAPIC */ + ISA_IRQS + (PCI_SLOTS - 1) * INTX_PINS + 2 /* LINT0, LINT1 */;
    }

    static int configTableLength(int vcpus) {
        return HEADER_LENGTH + vcpus * PROCESSOR_LENGTH + (entryCount(vcpus) - vcpus) * OTHER_LENGTH;
    }

    /**
     * Writes the floating pointer and the configuration table.
     *
     * @return the floating pointer's address
     */
    public static long write(GuestMemory memory, int vcpus) {
        if (vcpus < 1 || vcpus > AcpiTables.MAX_VCPUS) {
            throw new IllegalArgumentException("MP tables support 1 to " + AcpiTables.MAX_VCPUS + " vCPUs, not " + vcpus);
        }
        byte[] table = configTable(vcpus);
        if (X86Layout.MP_CONFIG_TABLE + table.length > X86Layout.BIOS_AREA_END) {
            throw new IllegalStateException("MP configuration table does not fit below 1 MiB");
        }
        memory.write(X86Layout.MP_CONFIG_TABLE, table);
        memory.write(X86Layout.EBDA_START, floatingPointer(X86Layout.MP_CONFIG_TABLE));
        return X86Layout.EBDA_START;
    }

    /** MP spec 4.1, Table 4-1. */
    static byte[] floatingPointer(long configTable) {
        ByteBuffer b = little(FLOATING_POINTER_LENGTH);
        b.put(AcpiTable.ascii("_MP_", 4));
        b.putInt((int) configTable);
        b.put((byte) 1); // length in 16-byte units
        b.put((byte) SPEC_REVISION);
        b.put((byte) 0); // checksum, below
        b.put((byte) 0); // feature 1: 0 = a configuration table is present
        b.put((byte) 0); // feature 2: IMCRP clear = virtual wire mode, no IMCR
        byte[] t = b.array();
        Checksum.fix(t, 0, t.length, 10);
        return t;
    }

    /** MP spec 4.2, Table 4-2, then the entries sorted by type as 4.3 requires. */
    static byte[] configTable(int vcpus) {
        ByteBuffer b = little(configTableLength(vcpus));
        b.put(AcpiTable.ascii("PCMP", 4));
        b.putShort((short) b.capacity());
        b.put((byte) SPEC_REVISION);
        b.put((byte) 0); // checksum, below
        b.put(AcpiTable.ascii("JVMM    ", 8));
        b.put(AcpiTable.ascii("JVMMVM      ", 12));
        b.putInt(0); // no OEM table
        b.putShort((short) 0);
        b.putShort((short) entryCount(vcpus));
        b.putInt((int) X86Layout.LAPIC_ADDRESS);
        b.putShort((short) 0); // no extended table
        b.put((byte) 0);
        b.put((byte) 0);

        for (int cpu = 0; cpu < vcpus; cpu++) {
            b.put((byte) PROCESSOR).put((byte) cpu).put((byte) LOCAL_APIC_VERSION)
                    .put((byte) (CPU_ENABLED | (cpu == 0 ? CPU_BOOTSTRAP : 0)))
                    .putInt(CPU_SIGNATURE).putInt(CPU_FEATURES).putLong(0);
        }
        b.put((byte) BUS).put((byte) PCI_BUS_ID).put(AcpiTable.ascii("PCI   ", 6));
        b.put((byte) BUS).put((byte) ISA_BUS_ID).put(AcpiTable.ascii("ISA   ", 6));
        int ioApic = Madt.ioApicId(vcpus);
        b.put((byte) IO_APIC).put((byte) ioApic).put((byte) IO_APIC_VERSION).put((byte) 1 /* enabled */)
                .putInt((int) X86Layout.IOAPIC_ADDRESS);
        // ISA IRQ n is IOAPIC pin n, as in KVM's default GSI routing.
        for (int irq = 0; irq < ISA_IRQS; irq++) {
            ioInterrupt(b, ISA_BUS_ID, irq, ioApic, irq);
        }
        // PCI source IRQ: device number in bits 6-2, INTx pin in bits 1-0 (MP spec D.3).
        for (int slot = 1; slot < PCI_SLOTS; slot++) {
            for (int pin = 0; pin < INTX_PINS; pin++) {
                ioInterrupt(b, PCI_BUS_ID, (slot << 2) | pin, ioApic, X86Layout.pciIntxGsi(slot, pin));
            }
        }
        localInterrupt(b, EXT_INT, 0);
        localInterrupt(b, NMI, 1);
        byte[] t = b.array();
        Checksum.fix(t, 0, t.length, 7);
        return t;
    }

    /** I/O Interrupt Assignment Entry (MP spec 4.3.4). */
    private static void ioInterrupt(ByteBuffer b, int bus, int sourceIrq, int ioApic, int pin) {
        b.put((byte) IO_INTERRUPT).put((byte) INT).putShort((short) CONFORMING)
                .put((byte) bus).put((byte) sourceIrq).put((byte) ioApic).put((byte) pin);
    }

    /** Local Interrupt Assignment Entry (MP spec 4.3.5), to every local APIC. */
    private static void localInterrupt(ByteBuffer b, int type, int lint) {
        b.put((byte) LOCAL_INTERRUPT).put((byte) type).putShort((short) CONFORMING)
                .put((byte) ISA_BUS_ID).put((byte) 0).put((byte) ALL_LOCAL_APICS).put((byte) lint);
    }

    private static ByteBuffer little(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
