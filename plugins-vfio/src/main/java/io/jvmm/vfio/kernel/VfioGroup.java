package io.jvmm.vfio.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/** A VFIO group, {@code /dev/vfio/N}: the unit of IOMMU isolation. One typed method per ioctl. */
public final class VfioGroup implements AutoCloseable {
    /** struct vfio_group_status. */
    public record Status(boolean viable, int flags) {
    }

    private final int fd;
    private final String path;
    private boolean containerSet;
    private boolean closed;

    private VfioGroup(int fd, String path) {
        this.fd = fd;
        this.path = path;
    }

    /** Opens the group file; the kernel allows one open at a time (EBUSY otherwise). */
    public static VfioGroup open(String path) {
        try {
            return new VfioGroup(LibC.open(path, LibC.O_RDWR | LibC.O_CLOEXEC), path);
        } catch (LastErrorException e) {
            throw VfioException.of("open " + path, e);
        }
    }

    /** The group's file descriptor, for KVM_DEV_VFIO_GROUP_ADD. */
    public int fd() {
        return fd;
    }

    public String path() {
        return path;
    }

    /** VFIO_GROUP_GET_STATUS. */
    public Status status() {
        try (Memory m = new Memory(8)) {
            m.setInt(0, 8);
            m.setInt(4, 0);
            ioctl("VFIO_GROUP_GET_STATUS", VfioIoctls.GROUP_GET_STATUS, m);
            int flags = m.getInt(4);
            return new Status((flags & VfioIoctls.GROUP_FLAGS_VIABLE) != 0, flags);
        }
    }

    /** VFIO_GROUP_SET_CONTAINER: attaches this group to {@code container}. */
    public void setContainer(VfioContainer container) {
        try (Memory m = new Memory(4)) {
            m.setInt(0, container.fd());
            ioctl("VFIO_GROUP_SET_CONTAINER", VfioIoctls.GROUP_SET_CONTAINER, m);
            containerSet = true;
        }
    }

    /** VFIO_GROUP_UNSET_CONTAINER. */
    public void unsetContainer() {
        try {
            LibC.ioctl(fd, VfioIoctls.GROUP_UNSET_CONTAINER, 0L);
            containerSet = false;
        } catch (LastErrorException e) {
            throw VfioException.of("VFIO_GROUP_UNSET_CONTAINER", e);
        }
    }

    /** VFIO_GROUP_GET_DEVICE_FD: the device named {@code name} (its PCI address) in this group. */
    public VfioDeviceFd deviceFd(String name) {
        byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (Memory m = new Memory(bytes.length + 1L)) {
            m.write(0, bytes, 0, bytes.length);
            m.setByte(bytes.length, (byte) 0);
            return new VfioDeviceFd(ioctl("VFIO_GROUP_GET_DEVICE_FD", VfioIoctls.GROUP_GET_DEVICE_FD, m), name);
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
        if (closed) {
            return;
        }
        closed = true;
        if (containerSet) {
            try {
                unsetContainer();
            } catch (VfioException ignored) {
                // Closing the fd detaches it as well.
            }
        }
        LibC.closeQuietly(fd);
    }
}
