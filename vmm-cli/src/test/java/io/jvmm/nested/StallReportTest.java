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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StallReportTest {
    @Test
    void aLostThreInterruptShowsAsPendingInTheUartAndThePinButInNoLocalApic() throws Exception {
        Serial8250 uart = Serial8250.com1(StallReport.NO_LINE, new ByteArrayOutputStream());
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
        Snapshot s = snapshot(uart.saveState(), ioapic.array(), lapic0, events);

        String report = StallReport.describe(s);

        assertThat(report).contains("IOAPIC pin 4: vector 0x22 edge unmasked dest 1, IRR bit 1; IRR 0x000010",
                "vCPU 0: runnable, rip 0xffffffff81000000, interrupts on, TPR 0x10, LVTT 0x0, IRR 0xec, ISR -, injecting 0xec",
                "vCPU 1: halted, rip 0xffffffff81000000, interrupts OFF, TPR 0x0, LVTT 0x0, IRR -, ISR -\n",
                "serial0: IER 0x07, MCR 0x0b, THRE interrupt pending yes, 2 byte(s) in the RX FIFO, "
                        + "interrupt received data, THRE (pending and enabled)");
        assertThat(StallReport.lostInterrupt(s)).hasValueSatisfying(why -> assertThat(why).contains(
                "lost below jvmm", "received data, THRE", "IOAPIC pin 4 (unmasked, vector 0x22)"));
    }

    @Test
    void anInterruptTheGuestStillHoldsOrMaskedOrNeverRaisedIsNotLost() throws Exception {
        Serial8250 uart = Serial8250.com1(StallReport.NO_LINE, new ByteArrayOutputStream());
        uart.write(1, new byte[] {0x02}); // IER: THRE, pending at once
        byte[] events = new byte[KvmStruct.Kind.VCPU_EVENTS.size()];
        byte[] idle = new byte[LapicState.SIZE];
        byte[] inService = new byte[LapicState.SIZE];
        ByteBuffer.wrap(inService).order(ByteOrder.LITTLE_ENDIAN).putInt(0x100 + 0x10, 1 << 2); // ISR vector 0x22
        byte[] requested = new byte[LapicState.SIZE];
        ByteBuffer.wrap(requested).order(ByteOrder.LITTLE_ENDIAN).putInt(0x200 + 0x10, 1 << 2); // IRR vector 0x22

        assertThat(StallReport.lostInterrupt(snapshot(uart.saveState(), pin4(0x22, false, true), idle, events))).isPresent();
        assertThat(StallReport.lostInterrupt(snapshot(uart.saveState(), pin4(0x22, false, true), inService, events))).isEmpty();
        assertThat(StallReport.lostInterrupt(snapshot(uart.saveState(), pin4(0x22, false, true), requested, events))).isEmpty();
        assertThat(StallReport.lostInterrupt(snapshot(uart.saveState(), pin4(0x22, true, true), idle, events))).isEmpty();
        assertThat(StallReport.lostInterrupt(snapshot(uart.saveState(), pin4(0x22, false, false), idle, events))).isEmpty();
        byte[] injecting = events.clone();
        injecting[8] = 1;
        injecting[9] = 0x22;
        assertThat(StallReport.lostInterrupt(snapshot(uart.saveState(), pin4(0x22, false, true), idle, injecting))).isEmpty();
        uart.write(1, new byte[] {0x00}); // IER 0: nothing can be pending
        assertThat(StallReport.lostInterrupt(snapshot(uart.saveState(), pin4(0x22, false, true), idle, events))).isEmpty();
    }

    static byte[] pin4(int vector, boolean masked, boolean irr) {
        ByteBuffer b = ByteBuffer.allocate(KvmStruct.Kind.IRQCHIP.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 2).putInt(24, irr ? 1 << 4 : 0).putLong(32 + 8 * 4, vector | (masked ? 1L << 16 : 0));
        return b.array();
    }

    static Snapshot snapshot(io.jvmm.spi.ComponentState serial, byte[] ioapic, byte[] lapic0, byte[] events) {
        return new Snapshot(new SnapshotConfig("/vm.toml", "[vm]\n", 0x200000, 2),
                new VmState(chip(0), chip(1), new KvmStruct(KvmStruct.Kind.IRQCHIP, ioapic),
                        new KvmStruct(KvmStruct.Kind.PIT2, new byte[KvmStruct.Kind.PIT2.size()]), 1),
                List.of(vcpu(0, 0x246, 0, lapic0, events), vcpu(1, 0x046, 3, new byte[LapicState.SIZE],
                        new byte[KvmStruct.Kind.VCPU_EVENTS.size()])),
                List.of(serial),
                new MemoryIndex("memory.bin", List.of(new MemoryIndex.Region(0, 0x200000, 0)), List.of(), 0));
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
