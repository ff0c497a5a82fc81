package io.jvmm.vfio.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.jvmm.vfio.backend.DeviceInfo;
import io.jvmm.vfio.backend.IrqInfo;
import io.jvmm.vfio.backend.MmapArea;
import io.jvmm.vfio.backend.RegionInfo;

import java.util.ArrayList;
import java.util.List;

/** A VFIO device file descriptor (VFIO_GROUP_GET_DEVICE_FD): one typed method per device ioctl. */
public final class VfioDeviceFd implements AutoCloseable {
    /** sizeof(struct vfio_region_info): argsz, flags, index, cap_offset, size, offset. */
    private static final int REGION_INFO_SIZE = 32;
    /** A capability chain longer than this is not believable. */
    private static final int MAX_CAPS = 64;

    private final int fd;
    private final String name;
    private boolean closed;

    VfioDeviceFd(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    public int fd() {
        return fd;
    }

    public String name() {
        return name;
    }

    /** VFIO_DEVICE_GET_INFO (struct vfio_device_info: argsz, flags, num_regions, num_irqs). */
    public DeviceInfo info() {
        try (Memory m = new Memory(24)) {
            m.clear();
            m.setInt(0, 24);
            ioctl("VFIO_DEVICE_GET_INFO", VfioIoctls.DEVICE_GET_INFO, m);
            int flags = m.getInt(4);
            if ((flags & VfioIoctls.DEVICE_FLAGS_PCI) == 0) {
                throw new VfioException("VFIO_DEVICE_GET_INFO: " + name + " is not a vfio-pci device", LibC.EINVAL);
            }
            return new DeviceInfo(m.getInt(8), m.getInt(12), (flags & VfioIoctls.DEVICE_FLAGS_RESET) != 0);
        }
    }

    /**
     * VFIO_DEVICE_GET_REGION_INFO with its capability chain: when the kernel has capabilities
     * for the region it answers with a larger argsz, and a second call with that much room
     * returns them (vfio.h, "struct vfio_region_info", cap_offset / struct vfio_info_cap_header).
     */
    public RegionInfo regionInfo(int index) {
        int argsz = REGION_INFO_SIZE;
        for (int attempt = 0; attempt < 2; attempt++) {
            try (Memory m = new Memory(argsz)) {
                m.clear();
                m.setInt(0, argsz);
                m.setInt(8, index);
                ioctl("VFIO_DEVICE_GET_REGION_INFO", VfioIoctls.DEVICE_GET_REGION_INFO, m);
                int flags = m.getInt(4);
                int needed = m.getInt(0);
                if ((flags & VfioIoctls.REGION_INFO_FLAG_CAPS) != 0 && needed > argsz && attempt == 0) {
                    argsz = needed;
                    continue;
                }
                return regionInfo(index, m, Math.min(argsz, needed), flags);
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private RegionInfo regionInfo(int index, Memory m, int length, int flags) {
        List<MmapArea> sparse = null;
        boolean msixMappable = false;
        int capOffset = (flags & VfioIoctls.REGION_INFO_FLAG_CAPS) != 0 ? m.getInt(12) : 0;
        for (int n = 0; capOffset != 0 && n < MAX_CAPS; n++) {
            if (capOffset < REGION_INFO_SIZE || capOffset + 8 > length) {
                break;
            }
            int id = m.getShort(capOffset) & 0xffff;
            int next = m.getInt(capOffset + 4);
            if (id == VfioIoctls.REGION_INFO_CAP_SPARSE_MMAP) {
                // struct vfio_region_info_cap_sparse_mmap: header, nr_areas, reserved, areas[] of {offset, size}.
                int areas = m.getInt(capOffset + 8);
                sparse = new ArrayList<>();
                for (int i = 0; i < areas && capOffset + 16 + 16L * (i + 1) <= length; i++) {
                    long offset = m.getLong(capOffset + 16 + 16L * i);
                    long size = m.getLong(capOffset + 24 + 16L * i);
                    if (size > 0) {
                        sparse.add(new MmapArea(offset, size));
                    }
                }
            } else if (id == VfioIoctls.REGION_INFO_CAP_MSIX_MAPPABLE) {
                msixMappable = true;
            }
            capOffset = next;
        }
        return new RegionInfo(index, m.getLong(16), (flags & VfioIoctls.REGION_INFO_FLAG_READ) != 0,
                (flags & VfioIoctls.REGION_INFO_FLAG_WRITE) != 0, (flags & VfioIoctls.REGION_INFO_FLAG_MMAP) != 0,
                sparse, msixMappable, fd, m.getLong(24));
    }

    /** VFIO_DEVICE_GET_IRQ_INFO (struct vfio_irq_info: argsz, flags, index, count). */
    public IrqInfo irqInfo(int index) {
        try (Memory m = new Memory(16)) {
            m.clear();
            m.setInt(0, 16);
            m.setInt(8, index);
            ioctl("VFIO_DEVICE_GET_IRQ_INFO", VfioIoctls.DEVICE_GET_IRQ_INFO, m);
            int flags = m.getInt(4);
            return new IrqInfo(index, m.getInt(12), (flags & VfioIoctls.IRQ_INFO_MASKABLE) != 0,
                    (flags & VfioIoctls.IRQ_INFO_AUTOMASKED) != 0);
        }
    }

    /**
     * VFIO_DEVICE_SET_IRQS with DATA_EVENTFD | ACTION_TRIGGER: vectors {@code 0..fds.length-1}
     * of {@code index} signal these eventfds (struct vfio_irq_set: argsz, flags, index, start,
     * count, then s32 fds). Enabling MSI or MSI-X this way is what allocates the host vectors.
     */
    public void setIrqEventFds(int index, int[] fds) {
        setIrqs(index, VfioIoctls.IRQ_SET_DATA_EVENTFD | VfioIoctls.IRQ_SET_ACTION_TRIGGER, fds);
    }

    /** VFIO_DEVICE_SET_IRQS with DATA_NONE | ACTION_TRIGGER and count 0: disables {@code index}. */
    public void disableIrq(int index) {
        setIrqs(index, VfioIoctls.IRQ_SET_DATA_NONE | VfioIoctls.IRQ_SET_ACTION_TRIGGER, new int[0]);
    }

    /** VFIO_DEVICE_SET_IRQS with DATA_EVENTFD | ACTION_UNMASK: a signal on {@code eventFd} unmasks vector 0. */
    public void setUnmaskEventFd(int index, int eventFd) {
        setIrqs(index, VfioIoctls.IRQ_SET_DATA_EVENTFD | VfioIoctls.IRQ_SET_ACTION_UNMASK, new int[] {eventFd});
    }

    private void setIrqs(int index, int flags, int[] fds) {
        int argsz = 20 + 4 * fds.length;
        try (Memory m = new Memory(argsz)) {
            m.setInt(0, argsz);
            m.setInt(4, flags);
            m.setInt(8, index);
            m.setInt(12, 0);
            m.setInt(16, fds.length);
            for (int i = 0; i < fds.length; i++) {
                m.setInt(20 + 4L * i, fds[i]);
            }
            ioctl("VFIO_DEVICE_SET_IRQS", VfioIoctls.DEVICE_SET_IRQS, m);
        }
    }

    /** VFIO_DEVICE_RESET. */
    public void reset() {
        try {
            LibC.ioctl(fd, VfioIoctls.DEVICE_RESET, 0L);
        } catch (LastErrorException e) {
            throw VfioException.of("VFIO_DEVICE_RESET", e);
        }
    }

    /** pread of the device fd at {@code offset} (region offset + offset inside the region). */
    public void read(long offset, byte[] data) {
        try {
            long n = LibC.pread(fd, data, new NativeLong(data.length), offset).longValue();
            if (n != data.length) {
                throw new VfioException("pread of " + data.length + " bytes at 0x" + Long.toHexString(offset)
                        + " returned " + n, LibC.EINVAL);
            }
        } catch (LastErrorException e) {
            throw VfioException.of("pread at 0x" + Long.toHexString(offset), e);
        }
    }

    /** pwrite to the device fd at {@code offset}. */
    public void write(long offset, byte[] data) {
        try {
            LibC.pwrite(fd, data, new NativeLong(data.length), offset);
        } catch (LastErrorException e) {
            throw VfioException.of("pwrite at 0x" + Long.toHexString(offset), e);
        }
    }

    private int ioctl(String ioctl, NativeLong request, Pointer arg) {
        try {
            return LibC.ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            throw VfioException.of(ioctl, e);
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
