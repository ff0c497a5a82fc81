package io.jvmm.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;

import java.util.ArrayList;
import java.util.List;

/** The KVM system file descriptor (/dev/kvm): capabilities, CPUID, and creating VMs. */
public final class Kvm implements AutoCloseable {
    /** The only KVM API version there has ever been (Documentation/virt/kvm/api.rst, 4.1). */
    public static final int API_VERSION = 12;
    private final int fd;

    private Kvm(int fd) {
        this.fd = fd;
    }

    /** Opens the KVM device. Errors keep errno so the caller can explain ENOENT/EACCES. */
    public static Kvm open(String devicePath) {
        try {
            return new Kvm(LibC.open(devicePath, LibC.O_RDWR | LibC.O_CLOEXEC));
        } catch (LastErrorException e) {
            throw new KvmException("open(" + devicePath + ")", e.getErrorCode());
        }
    }

    public int apiVersion() {
        return Ioctl.call(fd, "KVM_GET_API_VERSION", KvmIoctls.KVM_GET_API_VERSION, 0);
    }

    /** KVM_CHECK_EXTENSION: 0 when unsupported, otherwise a capability-specific positive value. */
    public int checkExtension(int capability) {
        return Ioctl.call(fd, "KVM_CHECK_EXTENSION", KvmIoctls.KVM_CHECK_EXTENSION, capability);
    }

    public int vcpuMmapSize() {
        return Ioctl.call(fd, "KVM_GET_VCPU_MMAP_SIZE", KvmIoctls.KVM_GET_VCPU_MMAP_SIZE, 0);
    }

    /** The largest vCPU count this host's KVM accepts. */
    public int maxVcpus() {
        int max = checkExtension(KvmIoctls.KVM_CAP_MAX_VCPUS);
        return max > 0 ? max : Math.max(checkExtension(KvmIoctls.KVM_CAP_NR_VCPUS), 4);
    }

    public boolean hasImmediateExit() {
        return checkExtension(KvmIoctls.KVM_CAP_IMMEDIATE_EXIT) > 0;
    }

    /** The in-kernel LAPIC can run its timer in TSC-deadline mode. */
    public boolean hasTscDeadlineTimer() {
        return checkExtension(KvmIoctls.KVM_CAP_TSC_DEADLINE_TIMER) > 0;
    }

    public boolean hasDeviceControl() {
        return checkExtension(KvmIoctls.KVM_CAP_DEVICE_CTRL) > 0;
    }

    /** KVM_GET_SUPPORTED_CPUID: every leaf KVM can expose on this host. */
    public List<CpuidEntry> supportedCpuid() {
        int max = 256;
        try (Memory m = new Memory(8L + (long) max * CpuidEntry.SIZE)) {
            m.clear();
            m.setInt(0, max);
            Ioctl.call(fd, "KVM_GET_SUPPORTED_CPUID", KvmIoctls.KVM_GET_SUPPORTED_CPUID, m);
            int n = m.getInt(0);
            List<CpuidEntry> entries = new ArrayList<>(n);
            long off = 8;
            for (int i = 0; i < n; i++) {
                entries.add(new CpuidEntry(m.getInt(off), m.getInt(off + 4), m.getInt(off + 8), m.getInt(off + 12),
                        m.getInt(off + 16), m.getInt(off + 20), m.getInt(off + 24)));
                off += CpuidEntry.SIZE;
            }
            return entries;
        }
    }

    /** KVM_CREATE_VM with the default machine type. */
    public VmFd createVm() {
        int vmFd = Ioctl.call(fd, "KVM_CREATE_VM", KvmIoctls.KVM_CREATE_VM, 0);
        return new VmFd(vmFd, vcpuMmapSize());
    }

    /**
     * KVM_GET_MSR_INDEX_LIST: the MSRs KVM saves and restores for a guest (asked twice: first
     * for the count, which the kernel reports with E2BIG).
     */
    public List<Integer> msrIndexList() {
        int count;
        try (Memory m = new Memory(4)) {
            m.setInt(0, 0);
            try {
                LibC.ioctl(fd, KvmIoctls.KVM_GET_MSR_INDEX_LIST, m);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != LibC.E2BIG) {
                    throw new KvmException("KVM_GET_MSR_INDEX_LIST", e.getErrorCode());
                }
            }
            count = m.getInt(0);
        }
        try (Memory m = new Memory(4L + 4L * Math.max(1, count))) {
            m.setInt(0, count);
            Ioctl.call(fd, "KVM_GET_MSR_INDEX_LIST", KvmIoctls.KVM_GET_MSR_INDEX_LIST, m);
            int n = m.getInt(0);
            List<Integer> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(m.getInt(4L + 4L * i));
            }
            return out;
        }
    }

    @Override
    public void close() {
        Fds.closeQuietly(fd);
    }
}
