package io.jvmm.vm;

import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmDevice;
import io.jvmm.kvm.KvmException;
import io.jvmm.kvm.VmFd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VM's KVM-VFIO pseudo device (Documentation/virt/kvm/devices/vfio.rst), made on first use.
 * Optional: where KVM lacks KVM_CAP_DEVICE_CTRL, passthrough still works without it.
 */
final class KvmVfioGroups implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KvmVfioGroups.class);
    private static final int KVM_DEV_VFIO_GROUP = 1;
    private static final int KVM_DEV_VFIO_GROUP_ADD = 1;

    private final Kvm kvm;
    private final VmFd vm;
    private KvmDevice device;
    private boolean unavailable;

    KvmVfioGroups(Kvm kvm, VmFd vm) {
        this.kvm = kvm;
        this.vm = vm;
    }

    synchronized boolean add(int groupFd) {
        if (unavailable) {
            return false;
        }
        try {
            if (device == null) {
                if (!kvm.hasDeviceControl()) {
                    unavailable = true;
                    log.warn("this host's KVM has no device control (KVM_CAP_DEVICE_CTRL): VFIO groups are not "
                            + "registered with KVM; passthrough works, as in QEMU");
                    return false;
                }
                device = vm.createDevice(KvmDevice.KVM_DEV_TYPE_VFIO);
            }
            device.setAttribute(KVM_DEV_VFIO_GROUP, KVM_DEV_VFIO_GROUP_ADD, groupFd);
            return true;
        } catch (KvmException e) {
            unavailable = true;
            log.warn("cannot register the VFIO group with KVM ({}); going on without it", e.getMessage());
            return false;
        }
    }

    @Override
    public synchronized void close() {
        if (device != null) {
            device.close();
        }
    }
}
