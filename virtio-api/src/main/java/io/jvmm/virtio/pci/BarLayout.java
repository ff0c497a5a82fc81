package io.jvmm.virtio.pci;

/**
 * Where the virtio structures sit in the function's one memory BAR. The layout is Cloud
 * Hypervisor's: each structure starts on its own 8 KiB boundary, as PCI 3.0, 6.8.2 recommends
 * for a BAR that holds both MSI-X and non-MSI-X structures, so the MSI-X table never shares a
 * page with anything else.
 */
final class BarLayout {
    static final int BAR_INDEX = 0;
    static final long BAR_SIZE = 0x8_0000;

    static final long COMMON = 0x0000;
    /** Through queue_device_hi (virtio 1.2, 4.1.4.3): what Linux maps at least. */
    static final long COMMON_SIZE = 0x38;
    static final long ISR = 0x2000;
    static final long ISR_SIZE = 1;
    static final long DEVICE = 0x4000;
    static final long DEVICE_SIZE = 0x1000;
    static final long NOTIFY = 0x6000;
    static final long NOTIFY_SIZE = 0x1000;
    /** One dword per queue: queue i is notified at NOTIFY + i * 4 (4.1.4.4). */
    static final int NOTIFY_OFF_MULTIPLIER = 4;
    static final long MSIX_TABLE = 0x8000;
    static final long MSIX_TABLE_SIZE = 0x4_0000;
    static final long MSIX_PBA = 0x4_8000;
    static final long MSIX_PBA_SIZE = 0x800;

    /** Queues that fit the notify area. */
    static final int MAX_QUEUES = (int) (NOTIFY_SIZE / NOTIFY_OFF_MULTIPLIER);

    private BarLayout() {
    }

    static boolean within(long offset, int length, long start, long size) {
        return offset >= start && offset + length <= start + size;
    }
}
