package io.jvmm.vm;

import io.jvmm.kvm.MsrEntry;
import io.jvmm.kvm.VcpuFd;
import io.jvmm.snapshot.VcpuState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/** Saves a paused vCPU's KVM state and puts it back, in the orders KVM needs. */
final class VcpuStates {
    private static final Logger log = LoggerFactory.getLogger(VcpuStates.class);

    private VcpuStates() {
    }

    /** MP state first, vCPU events last (as Firecracker and QEMU do). */
    static VcpuState save(VcpuFd v, List<Integer> msrIndices) {
        int mp = v.getMpState();
        var regs = v.getRegs();
        var sregs = v.getSregs();
        var fpu = v.getFpu();
        var xsave = v.getXsave();
        var xcrs = v.getXcrs();
        var debug = v.getDebugRegs();
        var lapic = v.getLapic();
        int tscKhz = v.tscKhz();
        List<MsrEntry> msrs = v.getMsrs(msrIndices);
        var events = v.getVcpuEvents();
        return new VcpuState(v.index(), regs, sregs, fpu, xsave, xcrs, msrs, lapic, mp, events, debug, tscKhz);
    }

    /** Restores onto a vCPU whose CPUID is already set. */
    static void restore(VcpuFd v, VcpuState s) {
        v.setMpState(s.mpState());
        v.setRegs(s.regs());
        v.setSregs(s.sregs());
        v.setFpu(s.fpu());
        v.setXsave(s.xsave());
        v.setXcrs(s.xcrs());
        v.setDebugRegs(s.debugRegs());
        v.setLapic(s.lapic());
        List<Integer> refused = v.setMsrsSkippingRefused(s.msrs());
        if (!refused.isEmpty()) {
            log.debug("vCPU {}: KVM refused {} saved MSR(s): {}", v.index(), refused.size(),
                    refused.stream().map(Integer::toHexString).toList());
        }
        v.setVcpuEvents(s.events());
    }
}
