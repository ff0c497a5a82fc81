package io.jvmm.snapshot;

import io.jvmm.kvm.KvmStruct;
import io.jvmm.kvm.LapicState;
import io.jvmm.kvm.MsrEntry;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Sregs;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One vCPU's saved state: everything KVM keeps for it that the guest can observe. Decoding
 * validates it (untrusted input); the KVM_SET_* ioctls validate the rest.
 *
 * @param index   the vCPU id
 * @param tscKhz  the guest TSC frequency when saved (the TSC itself is MSR 0x10 in {@code msrs})
 * @param mpState KVM_MP_STATE_* (0 runnable .. 9)
 */
public record VcpuState(int index, Regs regs, Sregs sregs, KvmStruct fpu, KvmStruct xsave, KvmStruct xcrs,
                        List<MsrEntry> msrs, LapicState lapic, int mpState, KvmStruct events, KvmStruct debugRegs,
                        int tscKhz) {
    public static final int VERSION = 1;
    static final int MAX_MSRS = 4096;
    static final int MAX_MP_STATE = 9;
    private static final long RFLAGS_FIXED_ONE = 0x2;

    public VcpuState {
        if (index < 0 || index > 1023) {
            throw new IllegalArgumentException("vCPU index " + index + " out of range");
        }
        Objects.requireNonNull(regs, "regs");
        Objects.requireNonNull(sregs, "sregs");
        Objects.requireNonNull(lapic, "lapic");
        requireKind(fpu, KvmStruct.Kind.FPU);
        requireKind(xsave, KvmStruct.Kind.XSAVE);
        requireKind(xcrs, KvmStruct.Kind.XCRS);
        requireKind(events, KvmStruct.Kind.VCPU_EVENTS);
        requireKind(debugRegs, KvmStruct.Kind.DEBUGREGS);
        if ((regs.rflags() & RFLAGS_FIXED_ONE) == 0) {
            throw new IllegalArgumentException("vCPU " + index + ": RFLAGS bit 1 is clear (it is always 1)");
        }
        if (msrs.size() > MAX_MSRS) {
            throw new IllegalArgumentException("vCPU " + index + ": " + msrs.size() + " MSRs (at most " + MAX_MSRS + ")");
        }
        if (mpState < 0 || mpState > MAX_MP_STATE) {
            throw new IllegalArgumentException("vCPU " + index + ": unknown MP state " + mpState);
        }
        if (xcrs.u32(0) > 16) {
            throw new IllegalArgumentException("vCPU " + index + ": " + xcrs.u32(0) + " XCRs (at most 16)");
        }
        if (tscKhz < 0) {
            throw new IllegalArgumentException("vCPU " + index + ": TSC frequency " + tscKhz + " kHz");
        }
        msrs = List.copyOf(msrs);
    }

    private static void requireKind(KvmStruct s, KvmStruct.Kind kind) {
        Objects.requireNonNull(s, kind.name());
        if (s.kind() != kind) {
            throw new IllegalArgumentException("expected " + kind + ", got " + s.kind());
        }
    }

    public byte[] encode() {
        StateOutput out = new StateOutput().u32(index).bytes(regs.toBytes()).bytes(sregs.toBytes())
                .bytes(fpu.bytes()).bytes(xsave.bytes()).bytes(xcrs.bytes()).u32(msrs.size());
        for (MsrEntry e : msrs) {
            out.u32(e.index()).u64(e.data());
        }
        return out.bytes(lapic.registers()).u32(mpState).bytes(events.bytes()).bytes(debugRegs.bytes()).u32(tscKhz)
                .toByteArray();
    }

    public static VcpuState decode(String what, int version, byte[] payload) throws SnapshotException {
        StateInput in = new StateInput(what, payload);
        if (version != VERSION) {
            throw in.bad("version " + version + " (this jvmm reads version " + VERSION + ")");
        }
        int index = in.u32();
        byte[] regs = in.bytesExactly(18 * 8);
        byte[] sregs = in.bytesExactly(Sregs.BYTES);
        KvmStruct fpu = struct(in, KvmStruct.Kind.FPU);
        KvmStruct xsave = struct(in, KvmStruct.Kind.XSAVE);
        KvmStruct xcrs = struct(in, KvmStruct.Kind.XCRS);
        int n = in.u32();
        if (n < 0 || n > MAX_MSRS) {
            throw in.bad(Integer.toUnsignedString(n) + " MSRs (at most " + MAX_MSRS + ")");
        }
        List<MsrEntry> msrs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            msrs.add(new MsrEntry(in.u32(), in.u64()));
        }
        byte[] lapic = in.bytesExactly(LapicState.SIZE);
        int mp = in.u32();
        KvmStruct events = struct(in, KvmStruct.Kind.VCPU_EVENTS);
        KvmStruct debug = struct(in, KvmStruct.Kind.DEBUGREGS);
        int tscKhz = in.u32();
        in.end();
        try {
            return new VcpuState(index, Regs.fromBytes(regs), Sregs.fromBytes(sregs), fpu, xsave, xcrs, msrs,
                    new LapicState(lapic), mp, events, debug, tscKhz);
        } catch (IllegalArgumentException e) {
            throw in.bad(e.getMessage());
        }
    }

    static KvmStruct struct(StateInput in, KvmStruct.Kind kind) throws SnapshotException {
        return new KvmStruct(kind, in.bytesExactly(kind.size()));
    }
}
