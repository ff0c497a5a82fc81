package io.jvmm.vfio.kernel;

import com.sun.jna.NativeLong;

/**
 * ioctl numbers and flags from include/uapi/linux/vfio.h. Every VFIO ioctl is
 * {@code _IO(VFIO_TYPE, VFIO_BASE + n)} with VFIO_TYPE ';' and VFIO_BASE 100: no size or
 * direction bits, the structures carry their own {@code argsz}.
 */
final class VfioIoctls {
    private VfioIoctls() {
    }

    private static final int VFIO_TYPE = ';';
    private static final int VFIO_BASE = 100;

    private static NativeLong io(int n) {
        return new NativeLong((VFIO_TYPE << 8) | (VFIO_BASE + n));
    }

    /** VFIO_API_VERSION: the only version there has ever been. */
    static final int API_VERSION = 0;

    // Container (/dev/vfio/vfio)
    static final NativeLong GET_API_VERSION = io(0);
    static final NativeLong CHECK_EXTENSION = io(1);
    static final NativeLong SET_IOMMU = io(2);
    static final NativeLong IOMMU_MAP_DMA = io(13);
    static final NativeLong IOMMU_UNMAP_DMA = io(14);

    // Group (/dev/vfio/N)
    static final NativeLong GROUP_GET_STATUS = io(3);
    static final NativeLong GROUP_SET_CONTAINER = io(4);
    static final NativeLong GROUP_UNSET_CONTAINER = io(5);
    static final NativeLong GROUP_GET_DEVICE_FD = io(6);

    // Device
    static final NativeLong DEVICE_GET_INFO = io(7);
    static final NativeLong DEVICE_GET_REGION_INFO = io(8);
    static final NativeLong DEVICE_GET_IRQ_INFO = io(9);
    static final NativeLong DEVICE_SET_IRQS = io(10);
    static final NativeLong DEVICE_RESET = io(11);

    // IOMMU types (VFIO_CHECK_EXTENSION / VFIO_SET_IOMMU)
    static final int TYPE1_IOMMU = 1;
    static final int TYPE1V2_IOMMU = 3;

    // struct vfio_group_status.flags
    static final int GROUP_FLAGS_VIABLE = 1;

    // struct vfio_device_info.flags
    static final int DEVICE_FLAGS_RESET = 1;
    static final int DEVICE_FLAGS_PCI = 1 << 1;

    // struct vfio_region_info.flags and capability ids
    static final int REGION_INFO_FLAG_READ = 1;
    static final int REGION_INFO_FLAG_WRITE = 1 << 1;
    static final int REGION_INFO_FLAG_MMAP = 1 << 2;
    static final int REGION_INFO_FLAG_CAPS = 1 << 3;
    static final int REGION_INFO_CAP_SPARSE_MMAP = 1;
    static final int REGION_INFO_CAP_MSIX_MAPPABLE = 3;

    // struct vfio_irq_info.flags
    static final int IRQ_INFO_EVENTFD = 1;
    static final int IRQ_INFO_MASKABLE = 1 << 1;
    static final int IRQ_INFO_AUTOMASKED = 1 << 2;
    static final int IRQ_INFO_NORESIZE = 1 << 3;

    // struct vfio_irq_set.flags
    static final int IRQ_SET_DATA_NONE = 1;
    static final int IRQ_SET_DATA_EVENTFD = 1 << 2;
    static final int IRQ_SET_ACTION_UNMASK = 1 << 4;
    static final int IRQ_SET_ACTION_TRIGGER = 1 << 5;

    // struct vfio_iommu_type1_dma_map.flags
    static final int DMA_MAP_FLAG_READ = 1;
    static final int DMA_MAP_FLAG_WRITE = 1 << 1;
}
