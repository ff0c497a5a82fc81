package io.jvmm.boot;

import io.jvmm.vm.X86Layout;

import java.util.ArrayList;
import java.util.List;

/** Builds the guest's memory map from its RAM layout and the fixed regions of {@link X86Layout}. */
public final class E820Map {
    private E820Map() {
    }

    /**
     * RAM below the EBDA; the EBDA (MP floating pointer) and the BIOS area holding the ACPI
     * tables and MP configuration table reserved; RAM from 1 MiB to the MMIO hole; the PCI
     * ECAM window reserved, because Linux only trusts an MCFG region that the firmware
     * reserved (arch/x86/pci/mmconfig-shared.c, pci_mmcfg_reserved()); RAM above 4 GiB.
     */
    public static List<E820Entry> of(RamLayout ram) {
        List<E820Entry> map = new ArrayList<>();
        map.add(new E820Entry(0, X86Layout.EBDA_START, E820Entry.Type.RAM));
        map.add(new E820Entry(X86Layout.EBDA_START, X86Layout.LOW_RAM_END - X86Layout.EBDA_START, E820Entry.Type.RESERVED));
        map.add(new E820Entry(X86Layout.ACPI_RSDP, X86Layout.BIOS_AREA_END - X86Layout.ACPI_RSDP, E820Entry.Type.RESERVED));
        if (ram.lowRamEnd() > X86Layout.HIGH_MEMORY) {
            map.add(new E820Entry(X86Layout.HIGH_MEMORY, ram.lowRamEnd() - X86Layout.HIGH_MEMORY, E820Entry.Type.RAM));
        }
        map.add(new E820Entry(X86Layout.PCI_ECAM_START, X86Layout.PCI_ECAM_SIZE, E820Entry.Type.RESERVED));
        if (ram.hasHighRam()) {
            map.add(new E820Entry(X86Layout.FOUR_GIB, ram.highRamSize(), E820Entry.Type.RAM));
        }
        return List.copyOf(map);
    }
}
