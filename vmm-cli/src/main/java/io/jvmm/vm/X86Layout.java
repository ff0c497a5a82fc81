package io.jvmm.vm;

/**
 * Where things live in the guest's physical address space and port-I/O space. One place
 * for every fixed address, so the boot code, ACPI tables, e820 map and devices agree.
 */
public final class X86Layout {
    private X86Layout() {
    }

    // --- Low memory used during boot (Documentation/arch/x86/boot.rst, "64-bit boot protocol") ---
    /** GDT used to enter long mode. */
    public static final long BOOT_GDT = 0x500;
    /** An empty IDT: interrupts stay disabled until the kernel installs its own. */
    public static final long BOOT_IDT = 0x520;
    /** The zero page (struct boot_params). */
    public static final long ZERO_PAGE = 0x7000;
    /** Boot page tables: PML4, PDPT and PDs identity-mapping the first 4 GiB with 2 MiB pages. */
    public static final long PML4 = 0x9000;
    public static final long PDPT = 0xA000;
    public static final long PD_BASE = 0xB000; // four pages: 0xB000-0xEFFF
    /** Initial stack pointer for the boot vCPU. */
    public static final long BOOT_STACK = 0x8ff0;
    /** The kernel command line, NUL-terminated. */
    public static final long CMDLINE = 0x20000;
    public static final int CMDLINE_MAX = 0x10000;
    /** The PVH start info (struct hvm_start_info) and its module list. */
    public static final long PVH_START_INFO = 0x6000;
    /** MP floating pointer + table, in the last KiB of base memory (EBDA), searched by Linux. */
    public static final long EBDA_START = 0x9fc00;
    /** End of conventional memory. */
    public static final long LOW_RAM_END = 0xa0000;
    /** ACPI RSDP: in the BIOS read-only area 0xE0000-0xFFFFF, found by Linux's search (ACPI 6.4, 5.2.5.1). */
    public static final long ACPI_RSDP = 0xe0000;
    /** ACPI tables follow the RSDP. */
    public static final long ACPI_TABLES = 0xe0100;
    /** ACPI tables end below here; the MP configuration table follows. */
    public static final long ACPI_TABLES_END = 0xf0000;
    /**
     * The MP configuration table (Intel MP spec 1.4, 4.2), pointed to by the floating pointer at
     * EBDA_START; it grows with the vCPU count, so it lives in the reserved BIOS area, not the 1 KiB EBDA.
     */
    public static final long MP_CONFIG_TABLE = 0xf0000;
    public static final long BIOS_AREA_END = 0x100000;
    /** Where a bzImage's protected-mode kernel is loaded (its default code32_start). */
    public static final long KERNEL_LOAD = 0x100000;
    /** High memory starts here. */
    public static final long HIGH_MEMORY = 0x100000;

    // --- The 32-bit MMIO hole below 4 GiB ---
    /** RAM below 4 GiB ends here at the latest; above it, up to 4 GiB, is the MMIO hole. */
    public static final long MMIO_HOLE_START = 0xc000_0000L;
    public static final long FOUR_GIB = 0x1_0000_0000L;
    /** 32-bit PCI BAR window. */
    public static final long PCI_MMIO32_START = 0xc000_0000L;
    public static final long PCI_MMIO32_END = 0xe000_0000L;
    /** PCI Express enhanced config space (ECAM), bus 0 only: 1 MiB (PCIe 4.0, 7.2.2). */
    public static final long PCI_ECAM_START = 0xe000_0000L;
    public static final long PCI_ECAM_SIZE = 0x10_0000L;
    public static final long IOAPIC_ADDRESS = 0xfec0_0000L;
    public static final long LAPIC_ADDRESS = 0xfee0_0000L;
    /** Size of the 64-bit PCI BAR window placed above the end of RAM. */
    public static final long PCI_MMIO64_SIZE = 0x40_0000_0000L; // 256 GiB

    /** Start of the 64-bit PCI window: above RAM, 1 GiB aligned. */
    public static long pciMmio64Start(long highRamEnd) {
        long end = Math.max(highRamEnd, FOUR_GIB);
        return (end + 0x3fff_ffffL) & ~0x3fff_ffffL;
    }

    // --- Port I/O ---
    public static final int COM1_PORT = 0x3f8;
    public static final int COM1_IRQ = 4;
    public static final int I8042_DATA_PORT = 0x60;
    public static final int I8042_COMMAND_PORT = 0x64;
    /** The i8042 keyboard port's ISA IRQ. */
    public static final int I8042_KBD_IRQ = 1;
    public static final int CMOS_PORT = 0x70;
    public static final int PCI_CONFIG_ADDRESS_PORT = 0xcf8;
    public static final int PCI_CONFIG_DATA_PORT = 0xcfc;
    /** ACPI fixed hardware: PM1a event block (status + enable, 4 bytes) and control block (2 bytes). */
    public static final int ACPI_PM1A_EVT_PORT = 0x600;
    public static final int ACPI_PM1A_CNT_PORT = 0x604;
    /** Reset control register, the FADT RESET_REG (ACPI 6.4, 4.8.3.6). */
    public static final int RESET_PORT = 0xcf9;
    /** System control interrupt, level-triggered, active high, on IOAPIC pin 9. */
    public static final int ACPI_SCI_IRQ = 9;
    /** GSIs the VMM hands to PCI INTx lines; 16-23 are free IOAPIC pins. */
    public static final int PCI_INTX_GSI_FIRST = 16;
    /** How many GSIs from PCI_INTX_GSI_FIRST the PCI INTx lines share. */
    public static final int PCI_INTX_GSI_COUNT = 8;
    public static final int IOAPIC_PINS = 24;

    /**
     * The GSI of PCI slot {@code slot}'s INTx pin {@code pin} (0 = INTA) on bus 0, the same
     * rotation as a PCI-to-PCI bridge swizzle. The DSDT _PRT, the MP table and the PCI devices
     * must all use this.
     */
    public static int pciIntxGsi(int slot, int pin) {
        return PCI_INTX_GSI_FIRST + (slot + pin) % PCI_INTX_GSI_COUNT;
    }
}
