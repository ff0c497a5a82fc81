package io.jvmm.vfio.pci;

/** Config-space offsets and capability ids (PCI Local Bus 3.0, 6.1 and 6.7; PCIe 4.0, 7.6 and 7.9). */
final class PciRegs {
    private PciRegs() {
    }

    static final int STATUS = 0x06;
    static final int STATUS_CAP_LIST = 0x10;
    static final int HEADER_TYPE_REG = 3;
    /** Bit 7 of the header type byte (0x0e): multi-function, bit 23 of register 3. */
    static final int MULTI_FUNCTION_BIT = 0x0080_0000;
    static final int BAR0 = 0x10;
    static final int BAR0_REG = 4;
    static final int BAR_COUNT = 6;
    static final int ROM = 0x30;
    static final int ROM_REG = 12;
    static final int CAPABILITIES_POINTER = 0x34;
    static final int INTERRUPT_REG = 15;

    static final int BAR_IO = 0x1;
    static final int BAR_MEM_TYPE_MASK = 0x6;
    static final int BAR_MEM_64 = 0x4;
    static final int BAR_PREFETCHABLE = 0x8;
    static final int ROM_ENABLE = 0x1;
    static final int ROM_ADDRESS_MASK = 0xffff_f800;

    static final int CAP_PM = 0x01;
    static final int CAP_MSI = 0x05;
    static final int CAP_PCIE = 0x10;
    static final int CAP_MSIX = 0x11;

    static final int EXT_CAP_START = 0x100;
    static final int EXT_CAP_ARI = 0x0e;
    static final int EXT_CAP_SRIOV = 0x10;
    static final int EXT_CAP_REBAR = 0x15;

    static final int CONVENTIONAL_SIZE = 256;
    static final int EXPRESS_SIZE = 4096;
}
