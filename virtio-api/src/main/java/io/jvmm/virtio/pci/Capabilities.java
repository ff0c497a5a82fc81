package io.jvmm.virtio.pci;

/**
 * Writes the function's capability list: the virtio vendor capabilities that locate each
 * structure in the BAR (virtio 1.2, 4.1.4: struct virtio_pci_cap, its notify and pci_cfg
 * variants) and the MSI-X capability (PCI Local Bus 3.0, 6.8.2).
 */
final class Capabilities {
    static final int VENDOR_SPECIFIC = 0x09;
    static final int MSIX = 0x11;

    // virtio_pci_cap.cfg_type (4.1.4).
    static final int COMMON_CFG = 1;
    static final int NOTIFY_CFG = 2;
    static final int ISR_CFG = 3;
    static final int DEVICE_CFG = 4;
    static final int PCI_CFG = 5;

    // Field offsets inside a virtio_pci_cap.
    static final int CAP_BAR = 4;
    static final int CAP_OFFSET = 8;
    static final int CAP_LENGTH = 12;
    /** notify_off_multiplier, or pci_cfg_data for the PCI_CFG capability. */
    static final int CAP_EXTRA = 16;

    static final int COMMON_AT = 0x40;
    static final int ISR_AT = 0x50;
    static final int DEVICE_AT = 0x60;
    static final int NOTIFY_AT = 0x70;
    static final int PCI_CFG_AT = 0x88;
    static final int MSIX_AT = 0xa0;

    // MSI-X Message Control (6.8.2.3).
    static final int MSIX_CONTROL = MSIX_AT + 2;
    static final int MSIX_ENABLE = 1 << 15;
    static final int MSIX_FUNCTION_MASK = 1 << 14;

    private Capabilities() {
    }

    /**
     * @param hasDeviceConfig whether to point at a device config structure; it is optional for
     *                        devices without one (4.1.4.6)
     */
    static void install(ConfigSpace cs, int msixEntries, boolean hasDeviceConfig) {
        cs.set(ConfigSpace.CAPABILITIES_POINTER, 1, COMMON_AT);
        cs.set(ConfigSpace.STATUS, 2, ConfigSpace.STATUS_CAPABILITIES);
        vendor(cs, COMMON_AT, ISR_AT, 16, COMMON_CFG, BarLayout.COMMON, BarLayout.COMMON_SIZE);
        if (hasDeviceConfig) {
            vendor(cs, ISR_AT, DEVICE_AT, 16, ISR_CFG, BarLayout.ISR, BarLayout.ISR_SIZE);
            vendor(cs, DEVICE_AT, NOTIFY_AT, 16, DEVICE_CFG, BarLayout.DEVICE, BarLayout.DEVICE_SIZE);
        } else {
            vendor(cs, ISR_AT, NOTIFY_AT, 16, ISR_CFG, BarLayout.ISR, BarLayout.ISR_SIZE);
        }
        vendor(cs, NOTIFY_AT, PCI_CFG_AT, 20, NOTIFY_CFG, BarLayout.NOTIFY, BarLayout.NOTIFY_SIZE);
        cs.set(NOTIFY_AT + CAP_EXTRA, 4, BarLayout.NOTIFY_OFF_MULTIPLIER);
        // 4.1.4.9: bar, offset and length are for the driver to write; the device never sets them.
        vendor(cs, PCI_CFG_AT, MSIX_AT, 20, PCI_CFG, 0, 0);
        cs.set(PCI_CFG_AT + CAP_BAR, 1, 0);
        cs.setWritable(PCI_CFG_AT + CAP_BAR, 1, 0xff);
        cs.setWritable(PCI_CFG_AT + CAP_OFFSET, 4, 0xffff_ffff);
        cs.setWritable(PCI_CFG_AT + CAP_LENGTH, 4, 0xffff_ffff);
        cs.setWritable(PCI_CFG_AT + CAP_EXTRA, 4, 0xffff_ffff);

        cs.set(MSIX_AT, 1, MSIX);
        cs.set(MSIX_AT + 1, 1, 0);
        cs.set(MSIX_CONTROL, 2, msixEntries - 1);
        cs.setWritable(MSIX_CONTROL, 2, MSIX_ENABLE | MSIX_FUNCTION_MASK);
        cs.set(MSIX_AT + 4, 4, (int) BarLayout.MSIX_TABLE | BarLayout.BAR_INDEX);
        cs.set(MSIX_AT + 8, 4, (int) BarLayout.MSIX_PBA | BarLayout.BAR_INDEX);
    }

    private static void vendor(ConfigSpace cs, int at, int next, int length, int type, long offset, long size) {
        cs.set(at, 1, VENDOR_SPECIFIC);
        cs.set(at + 1, 1, next);
        cs.set(at + 2, 1, length);
        cs.set(at + 3, 1, type);
        cs.set(at + CAP_BAR, 1, BarLayout.BAR_INDEX);
        cs.set(at + CAP_OFFSET, 4, (int) offset);
        cs.set(at + CAP_LENGTH, 4, (int) size);
    }
}
