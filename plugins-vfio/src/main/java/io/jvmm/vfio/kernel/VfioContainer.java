package io.jvmm.vfio.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * A VFIO container, {@code /dev/vfio/vfio}: the IOMMU context groups are attached to
 * (Documentation/driver-api/vfio.rst, "VFIO Usage Example"). One typed method per ioctl.
 */
public final class VfioContainer implements AutoCloseable {
    private final int fd;
    private boolean closed;

    private VfioContainer(int fd) {
        this.fd = fd;
    }

    /** Opens a new container at {@code path} (normally /dev/vfio/vfio). */
    public static VfioContainer open(String path) {
        try {
            return new VfioContainer(LibC.open(path, LibC.O_RDWR | LibC.O_CLOEXEC));
        } catch (LastErrorException e) {
            throw VfioException.of("open " + path, e);
        }
    }

    int fd() {
        return fd;
    }

    /** VFIO_GET_API_VERSION. */
    public int apiVersion() {
        return ioctl("VFIO_GET_API_VERSION", VfioIoctls.GET_API_VERSION, 0L);
    }

    /** VFIO_CHECK_EXTENSION: whether the container supports IOMMU type {@code extension}. */
    public boolean checkExtension(int extension) {
        return ioctl("VFIO_CHECK_EXTENSION", VfioIoctls.CHECK_EXTENSION, extension) > 0;
    }

    /** VFIO_SET_IOMMU; only valid once a group is attached. */
    public void setIommu(int type) {
        ioctl("VFIO_SET_IOMMU", VfioIoctls.SET_IOMMU, type);
    }

    /**
     * VFIO_IOMMU_MAP_DMA (struct vfio_iommu_type1_dma_map: argsz, flags, vaddr, iova, size):
     * the device may read and write {@code [iova, iova+size)}, backed by our memory at
     * {@code vaddr}. The kernel pins the pages, charged to RLIMIT_MEMLOCK.
     */
    public void mapDma(long iova, long size, long vaddr) {
        try (Memory m = new Memory(32)) {
            m.setInt(0, 32);
            m.setInt(4, VfioIoctls.DMA_MAP_FLAG_READ | VfioIoctls.DMA_MAP_FLAG_WRITE);
            m.setLong(8, vaddr);
            m.setLong(16, iova);
            m.setLong(24, size);
            ioctl("VFIO_IOMMU_MAP_DMA", VfioIoctls.IOMMU_MAP_DMA, m);
        }
    }

    /** VFIO_IOMMU_UNMAP_DMA (struct vfio_iommu_type1_dma_unmap: argsz, flags, iova, size). */
    public void unmapDma(long iova, long size) {
        try (Memory m = new Memory(24)) {
            m.setInt(0, 24);
            m.setInt(4, 0);
            m.setLong(8, iova);
            m.setLong(16, size);
            ioctl("VFIO_IOMMU_UNMAP_DMA", VfioIoctls.IOMMU_UNMAP_DMA, m);
        }
    }

    private int ioctl(String name, NativeLong request, long arg) {
        try {
            return LibC.ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            throw VfioException.of(name, e);
        }
    }

    private int ioctl(String name, NativeLong request, Pointer arg) {
        try {
            return LibC.ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            throw VfioException.of(name, e);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            LibC.closeQuietly(fd);
        }
    }
}
