package io.jvmm.nested;

import io.jvmm.devices.legacy.Serial8250;
import io.jvmm.devices.legacy.SerialState;
import io.jvmm.kvm.KvmStruct;
import io.jvmm.kvm.LapicState;
import io.jvmm.snapshot.Snapshot;
import io.jvmm.snapshot.SnapshotException;
import io.jvmm.snapshot.SnapshotFile;
import io.jvmm.snapshot.VcpuState;
import io.jvmm.spi.ComponentState;
import io.jvmm.spi.IrqLine;
import io.jvmm.spi.Snapshottable;
import io.jvmm.vm.X86Layout;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a snapshot of a guest that stopped talking says about its interrupts, for a failed
 * nested test's message: where each vCPU is and whether it can take interrupts, what its local
 * APIC holds (IRR: accepted, not yet taken; ISR: in service, no EOI yet), the IOAPIC pin of
 * COM1 (KVM keeps an edge pin's IRR bit set while the line is high, and delivers only on a
 * rising edge) and the UART's own view (IER, a THRE interrupt pending). A UART whose THRE
 * interrupt is pending and enabled, with the pin's IRR bit set and no vector in either local
 * APIC register, is a guest waiting for an interrupt that was lost between the line and the
 * CPU; a vCPU with interrupts off at the same RIP in two reports is a guest stuck on its own.
 */
final class StallReport {
    /** COM1's ISA interrupt, IOAPIC pin 4. */
    private static final int COM1_PIN = 4;
    /** A line to restore a UART onto that goes nowhere: the report only reads the state back. */
    static final IrqLine NO_LINE = new IrqLine() {
        @Override
        public int gsi() {
            return X86Layout.COM1_IRQ;
        }

        @Override
        public void assertLine() {
        }

        @Override
        public void deassertLine() {
        }
    };
    // struct kvm_irqchip: chip_id, pad, then kvm_ioapic_state {u64 base; u32 ioregsel, id, irr, pad; u64 redirtbl[24]}.
    private static final int IOAPIC_IRR = 8 + 16;
    private static final int IOAPIC_REDIRTBL = 8 + 24;
    // Local APIC register offsets (Intel SDM vol. 3, table 11-1): 8 x 32-bit words 16 bytes apart.
    private static final int APIC_TPR = 0x80;
    private static final int APIC_ISR = 0x100;
    private static final int APIC_IRR = 0x200;
    private static final int APIC_LVTT = 0x320;
    // struct kvm_vcpu_events: exception {injected, nr, has_error_code, pending, error_code}, interrupt {injected, nr, soft, shadow}.
    private static final int EVENTS_INTERRUPT = 8;
    private static final long RFLAGS_IF = 1L << 9;
    private static final String[] MP_STATES = {"runnable", "uninitialized", "init-received", "halted", "sipi-received",
        "stopped", "check-stop", "operating", "load"};

    private StallReport() {
    }

    /** The report for the snapshot in {@code dir}, or one line saying why there is none. */
    static String describe(Path dir) {
        if (!Files.isRegularFile(dir.resolve(SnapshotFile.STATE_FILE))) {
            return "no snapshot in " + dir + "\n";
        }
        try {
            return describe(SnapshotFile.read(dir));
        } catch (SnapshotException | RuntimeException e) {
            return "snapshot " + dir + " unreadable: " + e.getMessage() + "\n";
        }
    }

    static String describe(Snapshot s) {
        StringBuilder out = new StringBuilder();
        Pin pin = Pin.com1(s.vm().ioapic());
        out.append(String.format("IOAPIC pin %d: vector 0x%02x %s %s dest %d, IRR bit %d; IRR 0x%06x%n", COM1_PIN,
                pin.vector(), pin.level() ? "level" : "edge", pin.masked() ? "MASKED" : "unmasked", pin.dest(),
                pin.lineSeen() ? 1 : 0, pin.irr()));
        for (VcpuState v : s.vcpus()) {
            LapicState apic = v.lapic();
            byte[] events = v.events().bytes();
            out.append(String.format("vCPU %d: %s, rip 0x%x, interrupts %s, TPR 0x%x, LVTT 0x%x, IRR %s, ISR %s%s%n",
                    v.index(), v.mpState() < MP_STATES.length ? MP_STATES[v.mpState()] : "mp " + v.mpState(),
                    v.regs().rip(), (v.regs().rflags() & RFLAGS_IF) != 0 ? "on" : "OFF", apic.register(APIC_TPR),
                    apic.register(APIC_LVTT), vectors(apic, APIC_IRR), vectors(apic, APIC_ISR),
                    events[EVENTS_INTERRUPT] != 0 ? String.format(", injecting 0x%02x", events[EVENTS_INTERRUPT + 1] & 0xff) : ""));
        }
        com1(s).ifPresent(u -> out.append(String.format(
                "%s: IER 0x%02x, MCR 0x%02x, THRE interrupt pending %s, %d byte(s) in the RX FIFO, interrupt %s%n",
                u.id(), u.state().ier(), u.state().mcr(), u.state().thrInterruptPending() ? "yes" : "no",
                u.state().rxFifo().length, u.pending().isEmpty() ? "none" : u.pending() + " (pending and enabled)")));
        return out.toString();
    }

    /**
     * Evidence that the guest's COM1 interrupt was lost below jvmm, if {@code s} shows it: the
     * UART reports an enabled interrupt, so its line is high; COM1's IOAPIC pin is unmasked and
     * its IRR bit is set, so KVM saw the rising edge and delivered the vector then (KVM's
     * ioapic_set_irq services an edge pin at once unless masked); and no vCPU holds that vector
     * (not requested in IRR, not in service in ISR, not being injected). jvmm's part ends at the
     * edge: reading IIR, which the guest's handler must do, drops the line, and every new cause
     * after that raises it again. So the interrupt vanished in L1's KVM or the emulated SVM
     * beneath it. Meant for snapshots of a guest that has been silent for minutes.
     */
    static Optional<String> lostInterrupt(Snapshot s) {
        Optional<Uart> uart = com1(s);
        if (uart.isEmpty() || uart.get().pending().isEmpty()) {
            return Optional.empty();
        }
        Pin pin = Pin.com1(s.vm().ioapic());
        int vector = pin.vector();
        if (pin.masked() || !pin.lineSeen() || vector < 0x20) {
            return Optional.empty();
        }
        for (VcpuState v : s.vcpus()) {
            byte[] events = v.events().bytes();
            boolean injecting = events[EVENTS_INTERRUPT] != 0 && (events[EVENTS_INTERRUPT + 1] & 0xff) == vector;
            if (holds(v.lapic(), APIC_IRR, vector) || holds(v.lapic(), APIC_ISR, vector) || injecting) {
                return Optional.empty();
            }
        }
        return Optional.of(String.format("the guest's COM1 interrupt was lost below jvmm: the UART has %s "
                + "pending and enabled, IOAPIC pin %d (unmasked, vector 0x%02x) saw the rising edge, and no vCPU's "
                + "local APIC holds the vector", uart.get().pending(), COM1_PIN, vector));
    }

    /** COM1's redirection entry and the IOAPIC's IRR (82093AA datasheet, 3.2.4), as KVM_GET_IRQCHIP gave them. */
    private record Pin(int vector, boolean level, boolean masked, int dest, int irr) {
        static Pin com1(KvmStruct ioapic) {
            int low = ioapic.u32(IOAPIC_REDIRTBL + 8 * COM1_PIN);
            int high = ioapic.u32(IOAPIC_REDIRTBL + 8 * COM1_PIN + 4);
            return new Pin(low & 0xff, (low >> 15 & 1) == 1, (low >> 16 & 1) == 1, high >>> 24,
                    ioapic.u32(IOAPIC_IRR) & 0xffffff);
        }

        /** KVM keeps an edge pin's IRR bit set from the rising edge while the line stays high. */
        boolean lineSeen() {
            return (irr >> COM1_PIN & 1) == 1;
        }
    }

    /** The UART's saved state, as Serial8250 reads it back. */
    private record Uart(String id, SerialState state) {
        /** The causes the UART's IIR would report, as its Serial8250 computes them (datasheet Table IV). */
        String pending() {
            int ier = state.ier();
            List<String> causes = new ArrayList<>();
            if ((ier & 0x04) != 0 && state.lineErrors() != 0) {
                causes.add("line status");
            }
            if ((ier & 0x01) != 0 && state.rxFifo().length > 0) {
                causes.add("received data");
            }
            if ((ier & 0x02) != 0 && state.thrInterruptPending()) {
                causes.add("THRE");
            }
            if ((ier & 0x08) != 0 && state.modemDeltas() != 0) {
                causes.add("modem status");
            }
            return String.join(", ", causes);
        }
    }

    /** COM1's state, decoded by the device's own restore (which validates it); empty when absent or unreadable. */
    private static Optional<Uart> com1(Snapshot s) {
        for (ComponentState c : s.devices()) {
            if (c.id().equals("serial0")) {
                Serial8250 uart = Serial8250.com1(NO_LINE, OutputStream.nullOutputStream());
                try {
                    uart.restoreState(c);
                } catch (Snapshottable.StateException e) {
                    return Optional.empty();
                }
                return Optional.of(new Uart(c.id(), uart.state()));
            }
        }
        return Optional.empty();
    }

    private static boolean holds(LapicState apic, int base, int vector) {
        return (apic.register(base + 16 * (vector / 32)) >>> (vector % 32) & 1) != 0;
    }

    /** The vectors set in one of the local APIC's 256-bit registers, or "-". */
    private static String vectors(LapicState apic, int base) {
        StringBuilder v = new StringBuilder();
        for (int word = 0; word < 8; word++) {
            int bits = apic.register(base + 16 * word);
            for (int bit = 0; bit < 32; bit++) {
                if ((bits >>> bit & 1) != 0) {
                    v.append(v.isEmpty() ? "" : ",").append(String.format("0x%02x", word * 32 + bit));
                }
            }
        }
        return v.isEmpty() ? "-" : v.toString();
    }
}
