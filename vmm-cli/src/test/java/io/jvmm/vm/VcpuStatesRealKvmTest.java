package io.jvmm.vm;

import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Segment;
import io.jvmm.kvm.Sregs;
import io.jvmm.kvm.VcpuExit;
import io.jvmm.kvm.VcpuFd;
import io.jvmm.kvm.VmFd;
import io.jvmm.memory.AnonymousMemory;
import io.jvmm.memory.GuestRam;
import io.jvmm.snapshot.Snapshot;
import io.jvmm.snapshot.SnapshotFile;
import io.jvmm.snapshot.VcpuState;
import io.jvmm.snapshot.VmState;
import io.jvmm.spi.RamRegion;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The state ioctls against a real /dev/kvm: real-mode code counts in a loop with a port write
 * per step; its vCPU and VM state are saved mid-run (through the snapshot records' encoding),
 * restored into a fresh VM with a copy of its memory, and it continues counting. Tagged
 * "real-kvm": it fails without a working /dev/kvm and runs inside the nested test host
 * (RealKvmNestedIT).
 */
@Tag("real-kvm")
class VcpuStatesRealKvmTest {
    // loop: inc word [0x5000]; mov ax,[0x5000]; out 0x80,ax; jmp loop
    private static final byte[] CODE = {(byte) 0xff, 0x06, 0x00, 0x50, (byte) 0xa1, 0x00, 0x50, (byte) 0xe7,
            (byte) 0x80, (byte) 0xeb, (byte) 0xf5};

    private static int step(VcpuFd vcpu) {
        VcpuExit e = vcpu.run();
        assertThat(e).isInstanceOf(VcpuExit.IoOut.class);
        byte[] d = ((VcpuExit.IoOut) e).data();
        return (d[0] & 0xff) | (d[1] & 0xff) << 8;
    }

    @Test
    void stateSavedMidRunContinuesInANewVm() throws Exception {
        try (Kvm kvm = Kvm.open("/dev/kvm")) {
            List<Integer> msrIndices = kvm.msrIndexList();
            assertThat(msrIndices).contains(0x10); // IA32_TSC
            byte[] memory = new byte[0x10000];
            VcpuState saved;
            VmState savedVm;
            try (VmFd vm = kvm.createVm(); AnonymousMemory mem = new AnonymousMemory(0x10000)) {
                vm.createIrqChip();
                vm.createPit2(VmFd.KVM_PIT_SPEAKER_DUMMY);
                vm.setUserMemoryRegion(0, 0, 0, mem.size(), mem.hostAddress());
                GuestRam ram = new GuestRam(List.of(new RamRegion(0, mem.size(), mem.hostAddress())));
                ram.write(0x1000, CODE);
                try (VcpuFd vcpu = vm.createVcpu(0)) {
                    Sregs s = vcpu.getSregs();
                    Segment cs = s.cs();
                    vcpu.setSregs(new Sregs(new Segment(0, cs.limit(), 0, cs.type(), cs.present(), cs.dpl(), cs.db(),
                            cs.s(), cs.l(), cs.g(), cs.avl(), cs.unusable()), s.ds(), s.es(), s.fs(), s.gs(), s.ss(),
                            s.tr(), s.ldt(), s.gdt(), s.idt(), s.cr0(), s.cr2(), s.cr3(), s.cr4(), s.cr8(), s.efer(),
                            s.apicBase(), s.interruptBitmap()));
                    vcpu.setRegs(Regs.atEntry(0x1000, 0x8000, 0, 0));
                    for (int i = 1; i <= 5; i++) {
                        assertThat(step(vcpu)).isEqualTo(i);
                    }
                    // As a pause does: complete the exit with immediate_exit, then save.
                    vcpu.setImmediateExit(true);
                    assertThat(vcpu.run()).isInstanceOf(VcpuExit.Interrupted.class);
                    vcpu.setImmediateExit(false);
                    saved = VcpuStates.save(vcpu, msrIndices);
                    savedVm = new VmState(vm.getIrqChip(0), vm.getIrqChip(1), vm.getIrqChip(2), vm.getPit2(),
                            vm.getClock().nanos());
                    ram.read(0, memory, 0, memory.length);
                    assertThat(step(vcpu)).isEqualTo(6); // the original goes on too
                }
            }
            // Through the on-disk encoding, as a restore in a new process would see it.
            Snapshot snap = SnapshotFile.decode("t", SnapshotFile.encode(new Snapshot(
                    new io.jvmm.snapshot.SnapshotConfig("x", "", 0x10000, 1), savedVm, List.of(saved), List.of(),
                    new io.jvmm.snapshot.MemoryIndex("memory.bin", List.of(new io.jvmm.snapshot.MemoryIndex.Region(0,
                            0x10000, 0)), List.of(), 0))));
            try (VmFd vm = kvm.createVm(); AnonymousMemory mem = new AnonymousMemory(0x10000)) {
                vm.createIrqChip();
                vm.createPit2(VmFd.KVM_PIT_SPEAKER_DUMMY);
                vm.setPit2(snap.vm().pit());
                vm.setIrqChip(snap.vm().picMaster());
                vm.setIrqChip(snap.vm().picSlave());
                vm.setIrqChip(snap.vm().ioapic());
                vm.setUserMemoryRegion(0, 0, 0, mem.size(), mem.hostAddress());
                GuestRam ram = new GuestRam(List.of(new RamRegion(0, mem.size(), mem.hostAddress())));
                ram.write(0, memory);
                try (VcpuFd vcpu = vm.createVcpu(0)) {
                    VcpuStates.restore(vcpu, snap.vcpus().get(0));
                    vm.setClock(snap.vm().clockNanos());
                    assertThat(vm.getClock().nanos()).isGreaterThanOrEqualTo(snap.vm().clockNanos());
                    assertThat(step(vcpu)).isEqualTo(6);
                    assertThat(step(vcpu)).isEqualTo(7);
                }
            }
        }
    }
}
