package io.jvmm.kvm;

import io.jvmm.memory.AnonymousMemory;
import io.jvmm.memory.GuestRam;
import io.jvmm.spi.RamRegion;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs real-mode code on a real /dev/kvm: proves the ioctl numbers, struct layouts and exit
 * decoding against the kernel itself. Tagged "real-kvm": it needs a working /dev/kvm and fails
 * without one, so the build runs it inside the nested test host (RealKvmNestedIT).
 */
@Tag("real-kvm")
class KvmRealModeTest {

    @Test
    void realModeCodeDoesPortIoAndHalts() {
        try (Kvm kvm = Kvm.open("/dev/kvm"); VmFd vm = kvm.createVm(); AnonymousMemory mem = new AnonymousMemory(0x10000)) {
            assertThat(kvm.apiVersion()).isEqualTo(Kvm.API_VERSION);
            assertThat(kvm.supportedCpuid()).isNotEmpty();
            vm.setUserMemoryRegion(0, 0, 0, mem.size(), mem.hostAddress());
            GuestRam ram = new GuestRam(List.of(new RamRegion(0, mem.size(), mem.hostAddress())));
            // mov dx,0x3f8; mov al,'J'; out dx,al; in al,dx; mov bx,0x5000; mov [bx],al; hlt
            byte[] code = {(byte) 0xba, (byte) 0xf8, 0x03, (byte) 0xb0, 'J', (byte) 0xee, (byte) 0xec,
                    (byte) 0xbb, 0x00, 0x50, (byte) 0x88, 0x07, (byte) 0xf4};
            ram.write(0x1000, code);
            try (VcpuFd vcpu = vm.createVcpu(0)) {
                Sregs s = vcpu.getSregs();
                Segment cs = s.cs();
                Segment flatCs = new Segment(0, cs.limit(), 0, cs.type(), cs.present(), cs.dpl(), cs.db(), cs.s(),
                        cs.l(), cs.g(), cs.avl(), cs.unusable());
                vcpu.setSregs(new Sregs(flatCs, s.ds(), s.es(), s.fs(), s.gs(), s.ss(), s.tr(), s.ldt(), s.gdt(),
                        s.idt(), s.cr0(), s.cr2(), s.cr3(), s.cr4(), s.cr8(), s.efer(), s.apicBase(), s.interruptBitmap()));
                vcpu.setRegs(Regs.atEntry(0x1000, 0x8000, 0, 0));

                VcpuExit out = vcpu.run();
                assertThat(out).isInstanceOf(VcpuExit.IoOut.class);
                VcpuExit.IoOut o = (VcpuExit.IoOut) out;
                assertThat(o.port()).isEqualTo(0x3f8);
                assertThat(o.data()).containsExactly('J');

                VcpuExit in = vcpu.run();
                assertThat(in).isInstanceOf(VcpuExit.IoIn.class);
                ((VcpuExit.IoIn) in).data()[0] = 0x5a;

                VcpuExit hlt = vcpu.run();
                assertThat(hlt).isInstanceOf(VcpuExit.Hlt.class);
                assertThat(ram.readByte(0x5000)).isEqualTo((byte) 0x5a);
                assertThat(vcpu.getRegs().rip()).isEqualTo(0x1000 + code.length);
            }
        }
    }
}
