package io.jvmm.vm;

import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Sregs;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CpuStateReportTest {
    @Test
    void namesTheRegistersThatLocateAFault() {
        Regs regs = Regs.atEntry(0xffffffff81000000L, 0x8ff0, 0x7000, 0);
        Sregs sregs = BootCpuState.longMode(Sregs.fromBytes(new byte[Sregs.BYTES]));

        String report = CpuStateReport.format(1, regs, sregs);

        assertThat(report).startsWith("vCPU 1 state:")
                .contains("RIP=ffffffff81000000", "RSP=0000000000008ff0", "RSI=0000000000007000")
                .contains("CS=0010(base 0 l=true dpl=0)")
                .contains("CR3=" + String.format("%016x", X86Layout.PML4))
                .contains("EFER=500");
    }
}
