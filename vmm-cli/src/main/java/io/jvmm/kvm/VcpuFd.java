package io.jvmm.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

import java.util.List;

/**
 * A vCPU file descriptor (KVM_CREATE_VCPU): one typed method per vCPU ioctl, and
 * {@link #run()} which decodes the shared kvm_run page into a {@link VcpuExit}. Only the
 * vCPU's own thread calls {@link #run()}.
 */
public final class VcpuFd implements AutoCloseable {
    private final int fd;
    private final int index;
    private final Pointer runMapping;
    private final long runSize;
    private final KvmRun run;
    /** A read exit whose data goes back to the guest on the next run(). */
    private VcpuExit pendingRead;

    VcpuFd(int fd, int index, int mmapSize) {
        this.fd = fd;
        this.index = index;
        this.runSize = mmapSize;
        try {
            Pointer p = LibC.mmap(null, new NativeLong(mmapSize), LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd,
                    new NativeLong(0));
            if (LibC.mapFailed(p)) {
                throw new KvmException("mmap of kvm_run failed");
            }
            this.runMapping = p;
        } catch (LastErrorException e) {
            throw KvmException.of("mmap(kvm_run)", e);
        }
        this.run = new KvmRun(runMapping, mmapSize);
    }

    public int index() {
        return index;
    }

    /** Enters the guest until the next exit (KVM_RUN). */
    public VcpuExit run() {
        completePendingRead();
        try {
            LibC.ioctl(fd, KvmIoctls.KVM_RUN, 0L);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EINTR || e.getErrorCode() == LibC.EAGAIN) {
                return new VcpuExit.Interrupted();
            }
            throw KvmException.of("KVM_RUN", e);
        }
        VcpuExit exit = decode();
        if (exit instanceof VcpuExit.IoIn || exit instanceof VcpuExit.MmioRead) {
            pendingRead = exit;
        }
        return exit;
    }

    private void completePendingRead() {
        if (pendingRead instanceof VcpuExit.IoIn in) {
            run.writeBytes(run.ioDataOffset(), in.data());
        } else if (pendingRead instanceof VcpuExit.MmioRead m) {
            run.writeBytes(run.mmioDataOffset(), m.data());
        }
        pendingRead = null;
    }

    private VcpuExit decode() {
        int reason = run.exitReason();
        switch (reason) {
            case KvmRun.KVM_EXIT_IO: {
                int size = run.ioSize();
                int count = run.ioCount();
                if (size != 1 && size != 2 && size != 4 || count < 1 || count > 4096 / size) {
                    return new VcpuExit.Unknown(reason);
                }
                byte[] data = new byte[size * count];
                if (run.ioIsIn()) {
                    return new VcpuExit.IoIn(run.ioPort(), size, data);
                }
                run.readBytes(run.ioDataOffset(), data);
                return new VcpuExit.IoOut(run.ioPort(), size, data);
            }
            case KvmRun.KVM_EXIT_MMIO: {
                int len = run.mmioLength();
                if (len < 1 || len > 8) {
                    return new VcpuExit.Unknown(reason);
                }
                byte[] data = new byte[len];
                if (run.mmioIsWrite()) {
                    run.readBytes(run.mmioDataOffset(), data);
                    return new VcpuExit.MmioWrite(run.mmioAddress(), data);
                }
                return new VcpuExit.MmioRead(run.mmioAddress(), data);
            }
            case KvmRun.KVM_EXIT_HLT:
                return new VcpuExit.Hlt();
            case KvmRun.KVM_EXIT_SHUTDOWN:
                return new VcpuExit.Shutdown();
            case KvmRun.KVM_EXIT_SYSTEM_EVENT:
                return new VcpuExit.SystemEvent(run.unionInt(0));
            case KvmRun.KVM_EXIT_INTR:
                return new VcpuExit.Interrupted();
            case KvmRun.KVM_EXIT_FAIL_ENTRY:
                return new VcpuExit.FailEntry(run.unionLong(0), run.unionInt(8));
            case KvmRun.KVM_EXIT_INTERNAL_ERROR:
                return new VcpuExit.InternalError(run.unionInt(0));
            default:
                return new VcpuExit.Unknown(reason);
        }
    }

    /** Makes the next (or current) KVM_RUN return at once; see KVM_CAP_IMMEDIATE_EXIT. */
    public void setImmediateExit(boolean on) {
        run.setImmediateExit(on);
    }

    public Regs getRegs() {
        try (Memory m = new Memory(Regs.SIZE)) {
            Ioctl.call(fd, "KVM_GET_REGS on vCPU " + index, KvmIoctls.KVM_GET_REGS, m);
            return Regs.readFrom(m);
        }
    }

    public void setRegs(Regs regs) {
        try (Memory m = new Memory(Regs.SIZE)) {
            regs.writeTo(m);
            Ioctl.call(fd, "KVM_SET_REGS on vCPU " + index, KvmIoctls.KVM_SET_REGS, m);
        }
    }

    public Sregs getSregs() {
        try (Memory m = new Memory(Sregs.SIZE)) {
            m.clear();
            Ioctl.call(fd, "KVM_GET_SREGS on vCPU " + index, KvmIoctls.KVM_GET_SREGS, m);
            return Sregs.readFrom(m);
        }
    }

    public void setSregs(Sregs sregs) {
        try (Memory m = new Memory(Sregs.SIZE)) {
            m.clear();
            sregs.writeTo(m);
            Ioctl.call(fd, "KVM_SET_SREGS on vCPU " + index, KvmIoctls.KVM_SET_SREGS, m);
        }
    }

    /** KVM_SET_CPUID2: the CPUID table the guest sees on this vCPU. */
    public void setCpuid(List<CpuidEntry> entries) {
        try (Memory m = new Memory(8L + (long) entries.size() * CpuidEntry.SIZE)) {
            m.clear();
            m.setInt(0, entries.size());
            long off = 8;
            for (CpuidEntry e : entries) {
                m.setInt(off, e.function());
                m.setInt(off + 4, e.index());
                m.setInt(off + 8, e.flags());
                m.setInt(off + 12, e.eax());
                m.setInt(off + 16, e.ebx());
                m.setInt(off + 20, e.ecx());
                m.setInt(off + 24, e.edx());
                off += CpuidEntry.SIZE;
            }
            Ioctl.call(fd, "KVM_SET_CPUID2 on vCPU " + index, KvmIoctls.KVM_SET_CPUID2, m);
        }
    }

    /** KVM_SET_MSRS; every entry must be accepted. */
    public void setMsrs(List<MsrEntry> msrs) {
        try (Memory m = new Memory(8L + (long) msrs.size() * MsrEntry.SIZE)) {
            m.clear();
            m.setInt(0, msrs.size());
            long off = 8;
            for (MsrEntry e : msrs) {
                m.setInt(off, e.index());
                m.setLong(off + 8, e.data());
                off += MsrEntry.SIZE;
            }
            int set = Ioctl.call(fd, "KVM_SET_MSRS on vCPU " + index, KvmIoctls.KVM_SET_MSRS, m);
            if (set != msrs.size()) {
                throw new KvmException("KVM_SET_MSRS set " + set + " of " + msrs.size()
                        + " MSRs; MSR 0x" + Integer.toHexString(msrs.get(set).index()) + " was refused");
            }
        }
    }

    /** KVM_SET_FPU with the x87 control word and MXCSR at their reset values, the rest zero. */
    public void setFpuDefaults() {
        try (Memory m = new Memory(416)) {
            m.clear();
            // struct kvm_fpu: fpr[8][16] (128 bytes), then fcw (u16) at 128, ..., mxcsr (u32) at 408.
            m.setShort(128, (short) 0x37f);
            m.setInt(408, 0x1f80);
            Ioctl.call(fd, "KVM_SET_FPU on vCPU " + index, KvmIoctls.KVM_SET_FPU, m);
        }
    }

    public LapicState getLapic() {
        try (Memory m = new Memory(LapicState.SIZE)) {
            m.clear();
            Ioctl.call(fd, "KVM_GET_LAPIC on vCPU " + index, KvmIoctls.KVM_GET_LAPIC, m);
            return new LapicState(m.getByteArray(0, LapicState.SIZE));
        }
    }

    public void setLapic(LapicState state) {
        try (Memory m = new Memory(LapicState.SIZE)) {
            m.write(0, state.registers(), 0, LapicState.SIZE);
            Ioctl.call(fd, "KVM_SET_LAPIC on vCPU " + index, KvmIoctls.KVM_SET_LAPIC, m);
        }
    }

    public int getMpState() {
        try (Memory m = new Memory(4)) {
            Ioctl.call(fd, "KVM_GET_MP_STATE on vCPU " + index, KvmIoctls.KVM_GET_MP_STATE, m);
            return m.getInt(0);
        }
    }

    public void setMpState(int state) {
        try (Memory m = new Memory(4)) {
            m.setInt(0, state);
            Ioctl.call(fd, "KVM_SET_MP_STATE on vCPU " + index, KvmIoctls.KVM_SET_MP_STATE, m);
        }
    }

    private KvmStruct getStruct(String name, NativeLong request, KvmStruct.Kind kind) {
        try (Memory m = new Memory(kind.size())) {
            m.clear();
            Ioctl.call(fd, name + " on vCPU " + index, request, m);
            return new KvmStruct(kind, m.getByteArray(0, kind.size()));
        }
    }

    private void setStruct(String name, NativeLong request, KvmStruct.Kind kind, KvmStruct value) {
        if (value.kind() != kind) {
            throw new IllegalArgumentException(name + " takes " + kind + ", not " + value.kind());
        }
        try (Memory m = new Memory(kind.size())) {
            m.write(0, value.bytes(), 0, kind.size());
            Ioctl.call(fd, name + " on vCPU " + index, request, m);
        }
    }

    public KvmStruct getFpu() {
        return getStruct("KVM_GET_FPU", KvmIoctls.KVM_GET_FPU, KvmStruct.Kind.FPU);
    }

    public void setFpu(KvmStruct fpu) {
        setStruct("KVM_SET_FPU", KvmIoctls.KVM_SET_FPU, KvmStruct.Kind.FPU, fpu);
    }

    public KvmStruct getXsave() {
        return getStruct("KVM_GET_XSAVE", KvmIoctls.KVM_GET_XSAVE, KvmStruct.Kind.XSAVE);
    }

    public void setXsave(KvmStruct xsave) {
        setStruct("KVM_SET_XSAVE", KvmIoctls.KVM_SET_XSAVE, KvmStruct.Kind.XSAVE, xsave);
    }

    public KvmStruct getXcrs() {
        return getStruct("KVM_GET_XCRS", KvmIoctls.KVM_GET_XCRS, KvmStruct.Kind.XCRS);
    }

    public void setXcrs(KvmStruct xcrs) {
        setStruct("KVM_SET_XCRS", KvmIoctls.KVM_SET_XCRS, KvmStruct.Kind.XCRS, xcrs);
    }

    public KvmStruct getVcpuEvents() {
        return getStruct("KVM_GET_VCPU_EVENTS", KvmIoctls.KVM_GET_VCPU_EVENTS, KvmStruct.Kind.VCPU_EVENTS);
    }

    /**
     * KVM_SET_VCPU_EVENTS. Also marks the NMI-pending and SIPI-vector fields valid
     * (KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR in flags at offset 20),
     * which KVM_GET_VCPU_EVENTS fills but does not flag, so they are restored too.
     */
    public void setVcpuEvents(KvmStruct events) {
        byte[] b = events.bytes();
        b[20] |= 0x3;
        setStruct("KVM_SET_VCPU_EVENTS", KvmIoctls.KVM_SET_VCPU_EVENTS, KvmStruct.Kind.VCPU_EVENTS,
                new KvmStruct(KvmStruct.Kind.VCPU_EVENTS, b));
    }

    public KvmStruct getDebugRegs() {
        return getStruct("KVM_GET_DEBUGREGS", KvmIoctls.KVM_GET_DEBUGREGS, KvmStruct.Kind.DEBUGREGS);
    }

    public void setDebugRegs(KvmStruct regs) {
        setStruct("KVM_SET_DEBUGREGS", KvmIoctls.KVM_SET_DEBUGREGS, KvmStruct.Kind.DEBUGREGS, regs);
    }

    /** KVM_GET_TSC_KHZ: the guest TSC frequency. */
    public int tscKhz() {
        return Ioctl.call(fd, "KVM_GET_TSC_KHZ on vCPU " + index, KvmIoctls.KVM_GET_TSC_KHZ, 0L);
    }

    /**
     * KVM_GET_MSRS for {@code indices}, leaving out those KVM refuses to read on this vCPU
     * (KVM_GET_MSRS stops at the first MSR it cannot read and returns how many it read).
     */
    public List<MsrEntry> getMsrs(List<Integer> indices) {
        List<MsrEntry> out = new java.util.ArrayList<>(indices.size());
        List<Integer> left = new java.util.ArrayList<>(indices);
        while (!left.isEmpty()) {
            try (Memory m = new Memory(8L + (long) left.size() * MsrEntry.SIZE)) {
                m.clear();
                m.setInt(0, left.size());
                long off = 8;
                for (int msr : left) {
                    m.setInt(off, msr);
                    off += MsrEntry.SIZE;
                }
                int read = Ioctl.call(fd, "KVM_GET_MSRS on vCPU " + index, KvmIoctls.KVM_GET_MSRS, m);
                for (int i = 0; i < read; i++) {
                    out.add(new MsrEntry(m.getInt(8L + (long) i * MsrEntry.SIZE), m.getLong(16L + (long) i * MsrEntry.SIZE)));
                }
                // Skip the refused one and go on after it.
                left = new java.util.ArrayList<>(left.subList(Math.min(read + 1, left.size()), left.size()));
            }
        }
        return out;
    }

    /**
     * KVM_SET_MSRS that skips MSRs this KVM refuses (it stops at the first one) instead of
     * failing; returns the indices that were refused.
     */
    public List<Integer> setMsrsSkippingRefused(List<MsrEntry> msrs) {
        List<Integer> refused = new java.util.ArrayList<>();
        List<MsrEntry> left = msrs;
        while (!left.isEmpty()) {
            try (Memory m = new Memory(8L + (long) left.size() * MsrEntry.SIZE)) {
                m.clear();
                m.setInt(0, left.size());
                long off = 8;
                for (MsrEntry e : left) {
                    m.setInt(off, e.index());
                    m.setLong(off + 8, e.data());
                    off += MsrEntry.SIZE;
                }
                int set = Ioctl.call(fd, "KVM_SET_MSRS on vCPU " + index, KvmIoctls.KVM_SET_MSRS, m);
                if (set < left.size()) {
                    refused.add(left.get(set).index());
                }
                left = left.subList(Math.min(set + 1, left.size()), left.size());
            }
        }
        return refused;
    }

    /**
     * KVM_SET_SIGNAL_MASK: the signal mask in force while this vCPU is inside KVM_RUN
     * ({@code kernelSigset} is the kernel's 8-byte sigset).
     */
    public void setSignalMask(long kernelSigset) {
        try (Memory m = new Memory(12)) {
            m.setInt(0, 8);
            m.setLong(4, kernelSigset);
            Ioctl.call(fd, "KVM_SET_SIGNAL_MASK on vCPU " + index, KvmIoctls.KVM_SET_SIGNAL_MASK, m);
        }
    }

    @Override
    public void close() {
        try {
            LibC.munmap(runMapping, new NativeLong(runSize));
        } catch (LastErrorException ignored) {
            // Closing anyway.
        }
        Fds.closeQuietly(fd);
    }
}
