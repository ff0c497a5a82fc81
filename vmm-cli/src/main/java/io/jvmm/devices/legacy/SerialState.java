package io.jvmm.devices.legacy;

import java.util.Arrays;
import java.util.Objects;

/**
 * The guest-visible state of a {@link Serial8250}, for snapshots. Restoring goes through
 * this constructor, which rejects values no 16550A could hold (the state is untrusted).
 *
 * @param divisorLow          DLL
 * @param divisorHigh         DLM
 * @param ier                 interrupt enable register (low four bits)
 * @param fcr                 the last FIFO control value (enable, DMA mode, trigger level)
 * @param lcr                 line control register
 * @param mcr                 modem control register (low five bits)
 * @param lineErrors          pending LSR error bits (overrun, parity, framing, break)
 * @param modemDeltas         pending MSR delta bits (low four bits)
 * @param scratch             SCR
 * @param lastReceived        the value RBR answers when the FIFO is empty
 * @param thrInterruptPending the THRE interrupt has not been acknowledged yet
 * @param rxFifo              received bytes the guest has not read, oldest first
 */
public record SerialState(int divisorLow, int divisorHigh, int ier, int fcr, int lcr, int mcr, int lineErrors,
                          int modemDeltas, int scratch, int lastReceived, boolean thrInterruptPending,
                          byte[] rxFifo) {
    public SerialState {
        checkByte("divisorLow", divisorLow, 0xff);
        checkByte("divisorHigh", divisorHigh, 0xff);
        checkByte("ier", ier, 0x0f);
        checkByte("fcr", fcr, 0xc9);
        checkByte("lcr", lcr, 0xff);
        checkByte("mcr", mcr, 0x1f);
        checkByte("lineErrors", lineErrors, 0x1e);
        checkByte("modemDeltas", modemDeltas, 0x0f);
        checkByte("scratch", scratch, 0xff);
        checkByte("lastReceived", lastReceived, 0xff);
        Objects.requireNonNull(rxFifo, "rxFifo");
        if (rxFifo.length > Serial8250.RX_FIFO_SIZE) {
            throw new IllegalArgumentException("serial RX FIFO holds " + rxFifo.length + " bytes, at most "
                    + Serial8250.RX_FIFO_SIZE + " fit");
        }
        rxFifo = rxFifo.clone();
    }

    private static void checkByte(String name, int value, int allowedBits) {
        if ((value & ~allowedBits) != 0) {
            throw new IllegalArgumentException("serial state: " + name + "=0x" + Integer.toHexString(value)
                    + " has bits outside 0x" + Integer.toHexString(allowedBits));
        }
    }

    @Override
    public byte[] rxFifo() {
        return rxFifo.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SerialState s && s.divisorLow == divisorLow && s.divisorHigh == divisorHigh
                && s.ier == ier && s.fcr == fcr && s.lcr == lcr && s.mcr == mcr && s.lineErrors == lineErrors
                && s.modemDeltas == modemDeltas && s.scratch == scratch && s.lastReceived == lastReceived
                && s.thrInterruptPending == thrInterruptPending && Arrays.equals(s.rxFifo, rxFifo);
    }

    @Override
    public int hashCode() {
        return Objects.hash(divisorLow, divisorHigh, ier, fcr, lcr, mcr, lineErrors, modemDeltas, scratch,
                lastReceived, thrInterruptPending, Arrays.hashCode(rxFifo));
    }

    @Override
    public String toString() {
        return String.format("SerialState[dl=0x%02x%02x ier=0x%x fcr=0x%x lcr=0x%x mcr=0x%x lsrErr=0x%x msrDelta=0x%x"
                        + " scr=0x%x thre=%b rx=%d bytes]", divisorHigh, divisorLow, ier, fcr, lcr, mcr, lineErrors,
                modemDeltas, scratch, thrInterruptPending, rxFifo.length);
    }
}
