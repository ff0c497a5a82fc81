package io.jvmm.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

/** An in-kernel device fd (KVM_CREATE_DEVICE), e.g. the KVM-VFIO pseudo device. */
public final class KvmDevice implements AutoCloseable {
    public static final int KVM_DEV_TYPE_VFIO = 4;
    private final int fd;

    KvmDevice(int fd) {
        this.fd = fd;
    }

    /** KVM_SET_DEVICE_ATTR with a pointer to a 32-bit value (e.g. a VFIO group fd). */
    public void setAttribute(int group, long attribute, int value) {
        try (Memory arg = new Memory(4); Memory attr = new Memory(24)) {
            arg.setInt(0, value);
            attr.clear();
            attr.setInt(0, 0); // flags
            attr.setInt(4, group);
            attr.setLong(8, attribute);
            attr.setLong(16, com.sun.jna.Pointer.nativeValue(arg));
            LibC.ioctl(fd, KvmIoctls.KVM_SET_DEVICE_ATTR, attr);
        } catch (LastErrorException e) {
            throw KvmException.of("KVM_SET_DEVICE_ATTR", e);
        }
    }

    @Override
    public void close() {
        Fds.closeQuietly(fd);
    }
}
