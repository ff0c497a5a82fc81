package io.jvmm.nested;

import io.jvmm.kvm.LapicState;
import io.jvmm.snapshot.Snapshot;
import io.jvmm.snapshot.SnapshotException;
import io.jvmm.snapshot.SnapshotFile;
import io.jvmm.snapshot.VcpuState;
import io.jvmm.spi.ComponentState;

import java.nio.file.Files;
import java.nio.file.Path;

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
        byte[] ioapic = s.vm().ioapic().bytes();
        long rte = u64(ioapic, IOAPIC_REDIRTBL + 8 * COM1_PIN);
        int irr = (int) u64(ioapic, IOAPIC_IRR);
        out.append(String.format("IOAPIC pin %d: vector 0x%02x %s %s dest %d, IRR bit %d; IRR 0x%06x%n", COM1_PIN,
                rte & 0xff, (rte >> 15 & 1) == 1 ? "level" : "edge", (rte >> 16 & 1) == 1 ? "MASKED" : "unmasked",
                rte >>> 56, irr >> COM1_PIN & 1, irr & 0xffffff));
        for (VcpuState v : s.vcpus()) {
            LapicState apic = v.lapic();
            byte[] events = v.events().bytes();
            out.append(String.format("vCPU %d: %s, rip 0x%x, interrupts %s, TPR 0x%x, LVTT 0x%x, IRR %s, ISR %s%s%n",
                    v.index(), v.mpState() < MP_STATES.length ? MP_STATES[v.mpState()] : "mp " + v.mpState(),
                    v.regs().rip(), (v.regs().rflags() & RFLAGS_IF) != 0 ? "on" : "OFF", apic.register(APIC_TPR),
                    apic.register(APIC_LVTT), vectors(apic, APIC_IRR), vectors(apic, APIC_ISR),
                    events[EVENTS_INTERRUPT] != 0 ? String.format(", injecting 0x%02x", events[EVENTS_INTERRUPT + 1] & 0xff) : ""));
        }
        for (ComponentState c : s.devices()) {
            if (c.id().startsWith("serial") && c.payload().length >= 11) {
                // Serial8250 state v1: DLL DLM IER FCR LCR MCR lineErrors modemDeltas SCR lastReceived
                // thrInterruptPending, then the RX FIFO after a 4-byte length.
                byte[] p = c.payload();
                out.append(String.format("%s: IER 0x%02x, MCR 0x%02x, THRE interrupt pending %s, %d byte(s) in the RX FIFO%n",
                        c.id(), p[2], p[5], p[10] != 0 ? "yes" : "no", Math.max(0, p.length - 15)));
            }
        }
        return out.toString();
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

    private static long u64(byte[] b, int offset) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (b[offset + i] & 0xff);
        }
        return v;
    }
}
