package io.jvmm.devices.legacy;

/**
 * The 16550A's modem control and status bits (PC16550D datasheet, MCR and MSR): which status
 * lines MSR bits 7:4 show for an MCR value, and which delta bits (MSR 3:0) a change of MCR
 * sets. There is no modem: outside loopback the host lines DCD, DSR and CTS read asserted.
 */
final class ModemSignals {
    static final int MCR_DTR = 0x01;
    static final int MCR_RTS = 0x02;
    static final int MCR_OUT1 = 0x04;
    static final int MCR_OUT2 = 0x08;
    static final int MCR_LOOP = 0x10;
    static final int MCR_MASK = 0x1f;

    static final int MSR_DCTS = 0x01;
    static final int MSR_DDSR = 0x02;
    static final int MSR_TERI = 0x04;
    static final int MSR_DDCD = 0x08;
    static final int MSR_CTS = 0x10;
    static final int MSR_DSR = 0x20;
    static final int MSR_RI = 0x40;
    static final int MSR_DCD = 0x80;

    private static final int MSR_HOST_LINES = MSR_DCD | MSR_DSR | MSR_CTS;

    private ModemSignals() {
    }

    static boolean loopback(int mcr) {
        return (mcr & MCR_LOOP) != 0;
    }

    /** MSR bits 7:4. In loopback DTR, RTS, OUT1, OUT2 come back as DSR, CTS, RI, DCD (datasheet, MCR bit 4). */
    static int lines(int mcr) {
        if (!loopback(mcr)) {
            return MSR_HOST_LINES;
        }
        int lines = 0;
        if ((mcr & MCR_DTR) != 0) {
            lines |= MSR_DSR;
        }
        if ((mcr & MCR_RTS) != 0) {
            lines |= MSR_CTS;
        }
        if ((mcr & MCR_OUT1) != 0) {
            lines |= MSR_RI;
        }
        if ((mcr & MCR_OUT2) != 0) {
            lines |= MSR_DCD;
        }
        return lines;
    }

    /** The MSR delta bits that writing MCR {@code after} over {@code before} sets. */
    static int deltas(int before, int after) {
        int was = lines(before);
        int now = lines(after);
        int changed = was ^ now;
        int deltas = 0;
        if ((changed & MSR_CTS) != 0) {
            deltas |= MSR_DCTS;
        }
        if ((changed & MSR_DSR) != 0) {
            deltas |= MSR_DDSR;
        }
        if ((was & ~now & MSR_RI) != 0) {
            deltas |= MSR_TERI; // trailing edge of RI only
        }
        if ((changed & MSR_DCD) != 0) {
            deltas |= MSR_DDCD;
        }
        return deltas;
    }
}
