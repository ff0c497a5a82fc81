package io.jvmm.vm;

import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Segment;
import io.jvmm.kvm.Sregs;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CpuStateReportTest {
    @Test
    void namesTheRegistersThatLocateAFault() {
        Regs regs = Regs.atEntry(0xffffffff81000000L, 0x8ff0, 0x7000, 0);
        Sregs sregs = BootCpuState.longMode(Sregs.fromBytes(new byte[Sregs.BYTES]));

        String report = CpuStateReport.format(1, regs, sregs);

        assertThat(report).startsWith("vCPU 1 state:").doesNotContain("INIT state")
                .contains("RIP=ffffffff81000000", "RSP=0000000000008ff0", "RSI=0000000000007000")
                .contains("CS=0010(base 0 l=true dpl=0)")
                .contains("CR3=" + String.format("%016x", X86Layout.PML4))
                .contains("EFER=500");
    }

    @Test
    void saysWhenTheRegistersAreOnlyTheInitStateKvmOnAmdLeaves() {
        Regs regs = new Regs(0, 0, 0, 0x800f12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfff0, 2);
        Sregs reset = Sregs.fromBytes(new byte[Sregs.BYTES]);
        Sregs init = reset.withSegments(new Segment(0xffff0000L, 0xffff, 0xf000, 0xb, true, 0, false, true, false,
                false, false, false), reset.ds(), reset.tr());

        assertThat(CpuStateReport.format(1, regs, init)).startsWith("the registers are the INIT state")
                .contains("RIP=000000000000fff0");
    }
}
