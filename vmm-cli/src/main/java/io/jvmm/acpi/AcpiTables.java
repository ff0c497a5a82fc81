package io.jvmm.acpi;

import io.jvmm.spi.GuestMemory;
import io.jvmm.vm.X86Layout;

/**
 * Writes the guest's ACPI tables: the RSDP at {@link X86Layout#ACPI_RSDP}, where Linux's scan
 * of 0xE0000-0xFFFFF finds it (ACPI 6.4, 5.2.5.1), and the DSDT, FACS, FADT, MADT, MCFG and
 * XSDT from {@link X86Layout#ACPI_TABLES} up to {@link X86Layout#ACPI_TABLES_END}. That area
 * is reserved in the e820 map.
 */
public final class AcpiTables {
    static final int TABLE_ALIGNMENT = 16;
    /** APIC ids are 8 bits, 0xFF is broadcast, and the IOAPIC takes the id after the last vCPU. */
    public static final int MAX_VCPUS = 254;

    private AcpiTables() {
    }

    /**
     * @param vcpus       number of vCPUs, each with APIC id = its index
     * @param mmio64Start the 64-bit PCI BAR window, e.g. {@link X86Layout#pciMmio64Start}
     * @param mmio64Size  its size; 0 for none
     * @return the RSDP's guest address
     */
    public static long write(GuestMemory memory, int vcpus, long mmio64Start, long mmio64Size) {
        if (vcpus < 1 || vcpus > MAX_VCPUS) {
            throw new IllegalArgumentException("ACPI tables support 1 to " + MAX_VCPUS + " vCPUs, not " + vcpus);
        }
        Placer at = new Placer(memory, X86Layout.ACPI_TABLES);
        long dsdt = at.put(Dsdt.build(mmio64Start, mmio64Size), TABLE_ALIGNMENT);
        long facs = at.put(Facs.build(), Facs.ALIGNMENT);
        long fadt = at.put(Fadt.build(dsdt, facs), TABLE_ALIGNMENT);
        long madt = at.put(Madt.build(vcpus), TABLE_ALIGNMENT);
        long mcfg = at.put(Mcfg.build(), TABLE_ALIGNMENT);
        long xsdt = at.put(Xsdt.build(fadt, madt, mcfg), TABLE_ALIGNMENT);
        memory.write(X86Layout.ACPI_RSDP, Rsdp.build(xsdt));
        return X86Layout.ACPI_RSDP;
    }

    /** Puts tables one after the other, aligned, and refuses to run past the ACPI area. */
    private static final class Placer {
        private final GuestMemory memory;
        private long next;

        Placer(GuestMemory memory, long start) {
            this.memory = memory;
            this.next = start;
        }

        long put(byte[] table, int alignment) {
            long address = (next + alignment - 1) & -alignment;
            if (address + table.length > X86Layout.ACPI_TABLES_END) {
                throw new IllegalStateException(String.format(
                        "ACPI tables overflow their area: 0x%x + %d bytes passes 0x%x", address, table.length,
                        X86Layout.ACPI_TABLES_END));
            }
            memory.write(address, table);
            next = address + table.length;
            return address;
        }
    }
}
