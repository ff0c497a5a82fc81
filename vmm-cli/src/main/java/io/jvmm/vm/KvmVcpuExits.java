package io.jvmm.vm;

import com.sun.jna.NativeLong;
import io.jvmm.kvm.KvmException;
import io.jvmm.kvm.VcpuExit;
import io.jvmm.kvm.VcpuFd;
import io.jvmm.kvm.VcpuSignal;

/** The KVM vCPU behind a run loop: KVM_RUN on a {@link VcpuFd}, kicks by {@link VcpuSignal}. */
final class KvmVcpuExits implements VcpuExits {
    private final VcpuFd vcpu;
    /** The vCPU thread, for pthread_kill; null until it attaches. */
    private volatile NativeLong thread;

    KvmVcpuExits(VcpuFd vcpu) {
        this.vcpu = vcpu;
    }

    @Override
    public int index() {
        return vcpu.index();
    }

    @Override
    public void attachCurrentThread() {
        thread = VcpuSignal.prepareCurrentThread(vcpu);
    }

    @Override
    public VcpuExit run() {
        return vcpu.run();
    }

    @Override
    public void setImmediateExit(boolean on) {
        vcpu.setImmediateExit(on);
    }

    @Override
    public void kick() {
        NativeLong t = thread;
        if (t != null) {
            VcpuSignal.kick(t);
        }
    }

    @Override
    public void drainKicks() {
        VcpuSignal.drain();
    }

    @Override
    public String stateReport() {
        try {
            return CpuStateReport.format(vcpu.index(), vcpu.getRegs(), vcpu.getSregs());
        } catch (KvmException e) {
            return "its registers cannot be read: " + e.getMessage();
        }
    }

    @Override
    public long rip() {
        try {
            return vcpu.getRegs().rip();
        } catch (KvmException e) {
            return -1;
        }
    }
}
