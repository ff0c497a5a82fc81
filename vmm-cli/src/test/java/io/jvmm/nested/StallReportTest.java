package io.jvmm.nested;

import io.jvmm.devices.legacy.Serial8250;
import io.jvmm.kvm.DescriptorTable;
import io.jvmm.kvm.KvmStruct;
import io.jvmm.kvm.LapicState;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Segment;
import io.jvmm.kvm.Sregs;
import io.jvmm.snapshot.MemoryIndex;
import io.jvmm.snapshot.Snapshot;
import io.jvmm.snapshot.SnapshotConfig;
import io.jvmm.snapshot.SnapshotFile;
import io.jvmm.snapshot.VcpuState;
import io.jvmm.snapshot.VmState;
import io.jvmm.spi.IrqLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StallReportTest {
    private static final IrqLine NO_LINE = new IrqLine() {
        @Override
        public int gsi() {
            return 4;
        }

        @Override
        public void assertLine() {
        }

        @Override
        public void deassertLine() {
        }
    };

    @Test
    void aLostThreInterruptShowsAsPendingInTheUartAndThePinButInNoLocalApic() throws Exception {
        Serial8250 uart = Serial8250.com1(NO_LINE, new ByteArrayOutputStream());
        uart.write(1, new byte[] {0x07}); // IER: RX data, THRE, line status; THRE is pending at once
        uart.write(4, new byte[] {0x0b}); // MCR: DTR RTS OUT2
        uart.write(2, new byte[] {0x01}); // FCR: FIFOs on, so both input bytes fit
        uart.enqueueInput(new byte[] {'a', 'b'});

        ByteBuffer ioapic = ByteBuffer.allocate(KvmStruct.Kind.IRQCHIP.size()).order(ByteOrder.LITTLE_ENDIAN);
        ioapic.putInt(0, 2).putInt(24, 1 << 4).putLong(32 + 8 * 4, 0x0100_0000_0000_0022L);
        ioapic.putLong(32 + 8 * 2, 1L << 16); // another pin, masked: not reported
        byte[] lapic0 = new byte[LapicState.SIZE];
        ByteBuffer.wrap(lapic0).order(ByteOrder.LITTLE_ENDIAN).putInt(0x80, 0x10).putInt(0x200 + 0x70, 1 << 12);
        byte[] events = new byte[KvmStruct.Kind.VCPU_EVENTS.size()];
        events[8] = 1;
        events[9] = (byte) 0xec;
        Snapshot s = new Snapshot(new SnapshotConfig("/vm.toml", "[vm]\n", 0x200000, 2),
                new VmState(chip(0), chip(1), new KvmStruct(KvmStruct.Kind.IRQCHIP, ioapic.array()),
                        new KvmStruct(KvmStruct.Kind.PIT2, new byte[KvmStruct.Kind.PIT2.size()]), 1),
                List.of(vcpu(0, 0x246, 0, lapic0, events), vcpu(1, 0x046, 3, new byte[LapicState.SIZE],
                        new byte[KvmStruct.Kind.VCPU_EVENTS.size()])),
                List.of(uart.saveState()),
                new MemoryIndex("memory.bin", List.of(new MemoryIndex.Region(0, 0x200000, 0)), List.of(), 0));

        String report = StallReport.describe(s);

        assertThat(report).contains("IOAPIC pin 4: vector 0x22 edge unmasked dest 1, IRR bit 1; IRR 0x000010",
                "vCPU 0: runnable, rip 0xffffffff81000000, interrupts on, TPR 0x10, LVTT 0x0, IRR 0xec, ISR -, injecting 0xec",
                "vCPU 1: halted, rip 0xffffffff81000000, interrupts OFF, TPR 0x0, LVTT 0x0, IRR -, ISR -\n",
                "serial0: IER 0x07, MCR 0x0b, THRE interrupt pending yes, 2 byte(s) in the RX FIFO");
    }

    @Test
    void aDirectoryWithoutASnapshotOrWithABrokenOneIsOneLine(@TempDir Path dir) throws Exception {
        assertThat(StallReport.describe(dir)).isEqualTo("no snapshot in " + dir + "\n");
        java.nio.file.Files.write(dir.resolve(SnapshotFile.STATE_FILE), new byte[] {1, 2, 3});
        assertThat(StallReport.describe(dir)).startsWith("snapshot " + dir + " unreadable: ").endsWith("\n")
                .hasLineCount(1);
    }

    private static KvmStruct chip(int id) {
        ByteBuffer b = ByteBuffer.allocate(KvmStruct.Kind.IRQCHIP.size()).order(ByteOrder.LITTLE_ENDIAN).putInt(0, id);
        return new KvmStruct(KvmStruct.Kind.IRQCHIP, b.array());
    }

    private static VcpuState vcpu(int index, long rflags, int mpState, byte[] lapic, byte[] events) {
        Segment seg = new Segment(0x1000, 0xffff, 8, 0xb, true, 0, false, true, true, true, false, false);
        Sregs sregs = new Sregs(seg, seg, seg, seg, seg, seg, seg, seg, new DescriptorTable(0x500, 0x27),
                new DescriptorTable(0x600, 0xfff), 0x80050033L, 0, 0x9000, 0x20, 0, 0x500, 0xfee00900L, new long[4]);
        Regs regs = new Regs(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xffffffff81000000L, rflags);
        byte[] xcrs = new byte[KvmStruct.Kind.XCRS.size()];
        return new VcpuState(index, regs, sregs, new KvmStruct(KvmStruct.Kind.FPU, new byte[KvmStruct.Kind.FPU.size()]),
                new KvmStruct(KvmStruct.Kind.XSAVE, new byte[KvmStruct.Kind.XSAVE.size()]),
                new KvmStruct(KvmStruct.Kind.XCRS, xcrs), List.of(), new LapicState(lapic), mpState,
                new KvmStruct(KvmStruct.Kind.VCPU_EVENTS, events),
                new KvmStruct(KvmStruct.Kind.DEBUGREGS, new byte[KvmStruct.Kind.DEBUGREGS.size()]), 2_000_000);
    }
}
