package io.jvmm.vm;

import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmClockData;
import io.jvmm.kvm.MsrEntry;
import io.jvmm.kvm.PvClockTimeInfo;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Segment;
import io.jvmm.kvm.Sregs;
import io.jvmm.kvm.VcpuExit;
import io.jvmm.kvm.VcpuFd;
import io.jvmm.kvm.VmFd;
import io.jvmm.memory.AnonymousMemory;
import io.jvmm.memory.GuestRam;
import io.jvmm.spi.RamRegion;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The clock a pause freezes, against a real /dev/kvm: a vCPU with kvmclock enabled runs a few
 * port writes, so KVM fills its pvclock page; the page is read back through our layout and
 * gives the same time as KVM_GET_CLOCK to within a second, and the paused value is never behind
 * KVM's. Tagged "real-kvm": it runs inside the nested test host (RealKvmNestedIT), whose KVM
 * has no stable TSC, the case the guest's view is for.
 */
@Tag("real-kvm")
class PausedClockRealKvmTest {
    // loop: out 0x80,al; jmp loop
    private static final byte[] CODE = {(byte) 0xe6, (byte) 0x80, (byte) 0xeb, (byte) 0xfc};
    private static final long PVCLOCK_GPA = 0x8000;

    @Test
    void theGuestsPvclockPageAgreesWithKvmAndThePausedClockIsNeverBehindIt() throws Exception {
        try (Kvm kvm = Kvm.open("/dev/kvm"); VmFd vm = kvm.createVm(); AnonymousMemory mem = new AnonymousMemory(0x10000)) {
            vm.createIrqChip();
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
                vcpu.setMsrs(List.of(new MsrEntry(PvClockTimeInfo.MSR_KVM_SYSTEM_TIME_NEW, PVCLOCK_GPA | 1)));
                for (int i = 0; i < 3; i++) {
                    assertThat(vcpu.run()).isInstanceOf(VcpuExit.IoOut.class);
                }
                vcpu.setImmediateExit(true);
                assertThat(vcpu.run()).isInstanceOf(VcpuExit.Interrupted.class);

                byte[] page = new byte[PvClockTimeInfo.SIZE];
                ram.read(PVCLOCK_GPA, page, 0, page.length);
                PvClockTimeInfo info = PvClockTimeInfo.parse(page);
                assertThat(info.version()).as("KVM wrote the page").isPositive();
                assertThat(info.consistent()).isTrue();
                assertThat(info.tscToSystemMul()).isNotZero();

                KvmClockData kvmClock = vm.getClock();
                long tsc = vcpu.getMsrs(List.of(PvClockTimeInfo.MSR_IA32_TSC)).get(0).data();
                long guest = PausedClock.guestView(PVCLOCK_GPA | 1, tsc, ram, -1);
                assertThat(guest).as("the guest's view, KVM_GET_CLOCK %s", kvmClock)
                        .isBetween(kvmClock.nanos() - 1_000_000_000L, kvmClock.nanos() + 1_000_000_000L);

                PausedClock paused = PausedClock.read(kvmClock, List.of(vcpu), ram);
                assertThat(paused.nanos()).isGreaterThanOrEqualTo(kvmClock.nanos());
                assertThat(paused.tscStable()).isEqualTo(kvmClock.tscStable());
                if (!kvmClock.tscStable()) {
                    // The nested host's case: the page was read, and the later of the two is kept.
                    // Not ">= guest": the TSC read again on another of L1's CPUs, whose TSCs are
                    // not synchronised, may be a few microseconds behind the first read.
                    assertThat(paused.guestNanos()).isBetween(guest - 1_000_000_000L, guest + 1_000_000_000L);
                    assertThat(paused.nanos()).isEqualTo(Math.max(paused.guestNanos(), kvmClock.nanos()));
                }
                // A page outside RAM or kvmclock off: KVM's value stands.
                assertThat(PausedClock.guestView(0x10_0000 | 1, tsc, ram, 77)).isEqualTo(77);
                assertThat(PausedClock.guestView(PVCLOCK_GPA, tsc, ram, 77)).isEqualTo(77);
            }
        }
    }
}
