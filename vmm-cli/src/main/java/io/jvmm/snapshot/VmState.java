package io.jvmm.snapshot;

import io.jvmm.kvm.KvmStruct;

import java.util.Objects;

/**
 * The VM-wide KVM state: the in-kernel PICs and IOAPIC, the PIT, and the kvmclock value.
 *
 * @param clockNanos kvmclock (KVM_GET_CLOCK) when the VM was paused
 */
public record VmState(KvmStruct picMaster, KvmStruct picSlave, KvmStruct ioapic, KvmStruct pit, long clockNanos) {
    public static final int VERSION = 1;

    public VmState {
        checkChip(picMaster, 0, "PIC master");
        checkChip(picSlave, 1, "PIC slave");
        checkChip(ioapic, 2, "IOAPIC");
        Objects.requireNonNull(pit, "pit");
        if (pit.kind() != KvmStruct.Kind.PIT2) {
            throw new IllegalArgumentException("PIT state is " + pit.kind());
        }
        if (clockNanos < 0) {
            throw new IllegalArgumentException("negative guest clock " + clockNanos);
        }
    }

    private static void checkChip(KvmStruct chip, int id, String name) {
        Objects.requireNonNull(chip, name);
        if (chip.kind() != KvmStruct.Kind.IRQCHIP || chip.u32(0) != id) {
            throw new IllegalArgumentException(name + " state is not irqchip " + id);
        }
    }

    public byte[] encode() {
        return new StateOutput().bytes(picMaster.bytes()).bytes(picSlave.bytes()).bytes(ioapic.bytes())
                .bytes(pit.bytes()).u64(clockNanos).toByteArray();
    }

    public static VmState decode(String what, int version, byte[] payload) throws SnapshotException {
        StateInput in = new StateInput(what, payload);
        if (version != VERSION) {
            throw in.bad("version " + version + " (this jvmm reads version " + VERSION + ")");
        }
        KvmStruct master = VcpuState.struct(in, KvmStruct.Kind.IRQCHIP);
        KvmStruct slave = VcpuState.struct(in, KvmStruct.Kind.IRQCHIP);
        KvmStruct ioapic = VcpuState.struct(in, KvmStruct.Kind.IRQCHIP);
        KvmStruct pit = VcpuState.struct(in, KvmStruct.Kind.PIT2);
        long clock = in.u64();
        in.end();
        try {
            return new VmState(master, slave, ioapic, pit, clock);
        } catch (IllegalArgumentException e) {
            throw in.bad(e.getMessage());
        }
    }
}
