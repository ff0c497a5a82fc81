package io.jvmm.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

import java.util.List;

/** A VM file descriptor (KVM_CREATE_VM): one typed method per VM ioctl. */
public final class VmFd implements AutoCloseable {
    private final int fd;
    private final int vcpuMmapSize;

    VmFd(int fd, int vcpuMmapSize) {
        this.fd = fd;
        this.vcpuMmapSize = vcpuMmapSize;
    }

    /** KVM_SET_TSS_ADDR: three pages of guest-physical space KVM needs on Intel hosts. */
    public void setTssAddress(long address) {
        Ioctl.call(fd, "KVM_SET_TSS_ADDR", KvmIoctls.KVM_SET_TSS_ADDR, address);
    }

    /** KVM_SET_IDENTITY_MAP_ADDR: one page for the identity page table used in real mode on Intel. */
    public void setIdentityMapAddress(long address) {
        try (Memory m = new Memory(8)) {
            m.setLong(0, address);
            Ioctl.call(fd, "KVM_SET_IDENTITY_MAP_ADDR", KvmIoctls.KVM_SET_IDENTITY_MAP_ADDR, m);
        }
    }

    /** KVM_CREATE_IRQCHIP: in-kernel PIC pair, IOAPIC and per-vCPU local APICs. */
    public void createIrqChip() {
        Ioctl.call(fd, "KVM_CREATE_IRQCHIP", KvmIoctls.KVM_CREATE_IRQCHIP, 0L);
    }

    /** KVM_CREATE_PIT2; {@code flags} KVM_PIT_SPEAKER_DUMMY (1) also emulates port 0x61. */
    public void createPit2(int flags) {
        try (Memory m = new Memory(64)) {
            m.clear();
            m.setInt(0, flags);
            Ioctl.call(fd, "KVM_CREATE_PIT2", KvmIoctls.KVM_CREATE_PIT2, m);
        }
    }

    public static final int KVM_PIT_SPEAKER_DUMMY = 1;
    public static final int KVM_MEM_READONLY = 2;

    /** KVM_SET_USER_MEMORY_REGION; a size of 0 deletes the slot. */
    public void setUserMemoryRegion(int slot, int flags, long guestAddress, long size, long hostAddress) {
        try (Memory m = new Memory(32)) {
            m.setInt(0, slot);
            m.setInt(4, flags);
            m.setLong(8, guestAddress);
            m.setLong(16, size);
            m.setLong(24, hostAddress);
            Ioctl.call(fd, "KVM_SET_USER_MEMORY_REGION", KvmIoctls.KVM_SET_USER_MEMORY_REGION, m);
        }
    }

    /** KVM_IRQ_LINE: sets the level of a GSI on the in-kernel irqchip. */
    public void irqLine(int gsi, boolean level) {
        try (Memory m = new Memory(8)) {
            m.setInt(0, gsi);
            m.setInt(4, level ? 1 : 0);
            Ioctl.call(fd, "KVM_IRQ_LINE", KvmIoctls.KVM_IRQ_LINE, m);
        }
    }

    /** KVM_SET_GSI_ROUTING: replaces the whole routing table. */
    public void setGsiRouting(List<IrqRoute> routes) {
        // struct kvm_irq_routing { u32 nr; u32 flags; entries[] }; each entry is 48 bytes:
        // u32 gsi, u32 type, u32 flags, u32 pad, union u (32 bytes).
        try (Memory m = new Memory(8L + 48L * Math.max(1, routes.size()))) {
            m.clear();
            m.setInt(0, routes.size());
            long off = 8;
            for (IrqRoute r : routes) {
                m.setInt(off, r.gsi());
                if (r instanceof IrqRoute.IrqChip c) {
                    m.setInt(off + 4, 1); // KVM_IRQ_ROUTING_IRQCHIP
                    m.setInt(off + 16, c.chip());
                    m.setInt(off + 20, c.pin());
                } else if (r instanceof IrqRoute.Msi msi) {
                    m.setInt(off + 4, 2); // KVM_IRQ_ROUTING_MSI
                    m.setInt(off + 16, (int) msi.address());
                    m.setInt(off + 20, (int) (msi.address() >>> 32));
                    m.setInt(off + 24, msi.data());
                }
                off += 48;
            }
            Ioctl.call(fd, "KVM_SET_GSI_ROUTING", KvmIoctls.KVM_SET_GSI_ROUTING, m);
        }
    }

    /** KVM_IRQFD: writes to {@code eventFd} inject GSI {@code gsi}; {@code deassign} removes it. */
    public void irqfd(int eventFd, int gsi, boolean deassign) {
        try (Memory m = new Memory(32)) {
            m.clear();
            m.setInt(0, eventFd);
            m.setInt(4, gsi);
            m.setInt(8, deassign ? 1 : 0); // KVM_IRQFD_FLAG_DEASSIGN
            Ioctl.call(fd, "KVM_IRQFD", KvmIoctls.KVM_IRQFD, m);
        }
    }

    /**
     * KVM_IRQFD with KVM_IRQFD_FLAG_RESAMPLE: writes to {@code eventFd} raise GSI {@code gsi}
     * (level); when the guest EOIs it, KVM lowers it and signals {@code resampleFd}. Remove it
     * with {@link #irqfd irqfd(eventFd, gsi, true)}.
     */
    public void irqfdWithResample(int eventFd, int gsi, int resampleFd) {
        try (Memory m = new Memory(32)) {
            m.clear();
            m.setInt(0, eventFd);
            m.setInt(4, gsi);
            m.setInt(8, 2); // KVM_IRQFD_FLAG_RESAMPLE
            m.setInt(12, resampleFd);
            Ioctl.call(fd, "KVM_IRQFD", KvmIoctls.KVM_IRQFD, m);
        }
    }

    /**
     * KVM_IOEVENTFD: guest writes of {@code length} bytes to {@code address} signal
     * {@code eventFd}. {@code dataMatch} null matches any value.
     */
    public void ioeventfd(int eventFd, long address, int length, Long dataMatch, boolean pio, boolean deassign) {
        try (Memory m = new Memory(64)) {
            m.clear();
            int flags = 0;
            if (dataMatch != null) {
                flags |= 1; // KVM_IOEVENTFD_FLAG_DATAMATCH
                m.setLong(0, dataMatch);
            }
            if (pio) {
                flags |= 2; // KVM_IOEVENTFD_FLAG_PIO
            }
            if (deassign) {
                flags |= 4; // KVM_IOEVENTFD_FLAG_DEASSIGN
            }
            m.setLong(8, address);
            m.setInt(16, length);
            m.setInt(20, eventFd);
            m.setInt(24, flags);
            Ioctl.call(fd, "KVM_IOEVENTFD", KvmIoctls.KVM_IOEVENTFD, m);
        }
    }

    /** KVM_SIGNAL_MSI: injects one MSI message directly. */
    public void signalMsi(long address, int data) {
        try (Memory m = new Memory(32)) {
            m.clear();
            m.setInt(0, (int) address);
            m.setInt(4, (int) (address >>> 32));
            m.setInt(8, data);
            Ioctl.call(fd, "KVM_SIGNAL_MSI", KvmIoctls.KVM_SIGNAL_MSI, m);
        }
    }

    /** KVM_GET_CLOCK: the kvmclock value in ns, and whether it is the guest's own view. */
    public KvmClockData getClock() {
        try (Memory m = new Memory(KvmClockData.SIZE)) {
            m.clear();
            Ioctl.call(fd, "KVM_GET_CLOCK", KvmIoctls.KVM_GET_CLOCK, m);
            return new KvmClockData(m.getLong(0), m.getInt(8));
        }
    }

    /** KVM_SET_CLOCK: sets the kvmclock value in ns. */
    public void setClock(long nanos) {
        try (Memory m = new Memory(KvmClockData.SIZE)) {
            m.clear();
            m.setLong(0, nanos);
            Ioctl.call(fd, "KVM_SET_CLOCK", KvmIoctls.KVM_SET_CLOCK, m);
        }
    }

    /** KVM_CREATE_VCPU with vCPU id {@code index} (also its APIC id). */
    public VcpuFd createVcpu(int index) {
        int vcpuFd = Ioctl.call(fd, "KVM_CREATE_VCPU", KvmIoctls.KVM_CREATE_VCPU, index);
        return new VcpuFd(vcpuFd, index, vcpuMmapSize);
    }

    /** KVM_CREATE_DEVICE: an in-kernel device such as KVM_DEV_TYPE_VFIO. */
    public KvmDevice createDevice(int type) {
        try (Memory m = new Memory(12)) {
            m.clear();
            m.setInt(0, type);
            Ioctl.call(fd, "KVM_CREATE_DEVICE", KvmIoctls.KVM_CREATE_DEVICE, m);
            return new KvmDevice(m.getInt(4));
        }
    }

    /** KVM_IRQCHIP_* chip ids of struct kvm_irqchip. */
    public static final int IRQCHIP_PIC_MASTER = 0;
    public static final int IRQCHIP_PIC_SLAVE = 1;
    public static final int IRQCHIP_IOAPIC = 2;

    /** KVM_GET_IRQCHIP for one of the in-kernel PICs or the IOAPIC. */
    public KvmStruct getIrqChip(int chipId) {
        int size = KvmStruct.Kind.IRQCHIP.size();
        try (Memory m = new Memory(size)) {
            m.clear();
            m.setInt(0, chipId);
            Ioctl.call(fd, "KVM_GET_IRQCHIP(" + chipId + ")", KvmIoctls.KVM_GET_IRQCHIP, m);
            return new KvmStruct(KvmStruct.Kind.IRQCHIP, m.getByteArray(0, size));
        }
    }

    /** KVM_SET_IRQCHIP; the chip id is the first u32 of the struct. */
    public void setIrqChip(KvmStruct chip) {
        requireKind(chip, KvmStruct.Kind.IRQCHIP);
        int chipId = chip.u32(0);
        if (chipId < IRQCHIP_PIC_MASTER || chipId > IRQCHIP_IOAPIC) {
            throw new IllegalArgumentException("irqchip id " + chipId + " is not 0 (PIC master), 1 (slave) or 2 (IOAPIC)");
        }
        setStruct("KVM_SET_IRQCHIP(" + chipId + ")", KvmIoctls.KVM_SET_IRQCHIP, chip);
    }

    public KvmStruct getPit2() {
        int size = KvmStruct.Kind.PIT2.size();
        try (Memory m = new Memory(size)) {
            m.clear();
            Ioctl.call(fd, "KVM_GET_PIT2", KvmIoctls.KVM_GET_PIT2, m);
            return new KvmStruct(KvmStruct.Kind.PIT2, m.getByteArray(0, size));
        }
    }

    public void setPit2(KvmStruct pit) {
        requireKind(pit, KvmStruct.Kind.PIT2);
        setStruct("KVM_SET_PIT2", KvmIoctls.KVM_SET_PIT2, pit);
    }

    private static void requireKind(KvmStruct s, KvmStruct.Kind kind) {
        if (s.kind() != kind) {
            throw new IllegalArgumentException("expected " + kind + " state, got " + s.kind());
        }
    }

    private void setStruct(String name, NativeLong request, KvmStruct value) {
        try (Memory m = new Memory(value.kind().size())) {
            m.write(0, value.bytes(), 0, value.kind().size());
            Ioctl.call(fd, name, request, m);
        }
    }

    @Override
    public void close() {
        Fds.closeQuietly(fd);
    }
}
