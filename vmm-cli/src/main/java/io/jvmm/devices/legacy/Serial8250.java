package io.jvmm.devices.legacy;

import io.jvmm.snapshot.StateInput;
import io.jvmm.snapshot.StateOutput;
import io.jvmm.snapshot.SnapshotException;
import io.jvmm.spi.ComponentState;
import io.jvmm.spi.Snapshottable;
import io.jvmm.spi.BusRegion;
import io.jvmm.spi.IrqLine;
import io.jvmm.spi.PlatformDevice;
import io.jvmm.vm.X86Layout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A 16550A UART (National Semiconductor PC16550D datasheet), as the guest's console.
 *
 * <p>Transmission is instant: THR is always empty again by the time the guest looks, so LSR
 * always reports THRE and TEMT and the TX FIFO never holds anything. Bytes go to an
 * {@link OutputStream} sink, flushed at each newline and whenever the guest writes IER (Linux
 * ends every transmit burst that way: the console's polled write restores IER, the interrupt
 * driven path clears ETBEI when its buffer runs dry), so prompts without a newline show up.
 *
 * <p>Received bytes come from a host thread through {@link #enqueueInput}. The RX FIFO holds
 * {@value #RX_FIFO_SIZE} bytes (a real 16550A has 16; a deeper one only means the host waits
 * less often, the guest cannot tell). When it is full the host thread waits for the guest to
 * read, so pasted text is not lost; a vCPU never waits.
 *
 * <p>The interrupt output is a level: the line is asserted while IIR reports an interrupt and
 * deasserted otherwise, with {@link IrqLine} calls only on changes. Writing THR first drops
 * the THRE interrupt and then raises it again when the (instant) transmission ends, as the
 * hardware does; that edge is what an edge-triggered ISA pin needs. OUT2 does not gate the
 * line (on PC boards it does; Linux always sets OUT2 once the port is open, and the console
 * runs polled before that).
 *
 * <p>Linux's 8250 autoconfig identifies this as a 16550A: the IER upper bits read 0, the
 * loopback test sees MCR's RTS and OUT2 as CTS and DCD in MSR, IIR bits 7:6 read 11 with
 * FIFOs enabled, and no EFR, 64-byte FIFO or UUE bit exists.
 */
public final class Serial8250 implements PlatformDevice, Snapshottable {
    private static final int STATE_VERSION = 1;
    private static final Logger log = LoggerFactory.getLogger(Serial8250.class);

    /** Bytes the RX FIFO holds in FIFO mode (1 in 16450 mode, datasheet "FIFO Interrupt Mode Operation"). */
    public static final int RX_FIFO_SIZE = 64;
    /** How long {@link #enqueueInput} waits for the guest to make room before dropping input. */
    public static final Duration DEFAULT_INPUT_STALL = Duration.ofSeconds(1);
    private static final int REGISTER_COUNT = 8;

    // Register offsets (datasheet Table II); which one is reached depends on DLAB and direction.
    private static final int RBR_THR_DLL = 0;
    private static final int IER_DLM = 1;
    private static final int IIR_FCR = 2;
    private static final int LCR = 3;
    private static final int MCR = 4;
    private static final int LSR = 5;
    private static final int MSR = 6;
    private static final int SCR = 7;

    private static final int IER_RDA = 0x01;
    private static final int IER_THRE = 0x02;
    private static final int IER_RLS = 0x04;
    private static final int IER_MS = 0x08;
    private static final int IER_MASK = 0x0f;

    // IIR interrupt identification, by falling priority (datasheet Table IV).
    private static final int IIR_NO_INTERRUPT = 0x01;
    private static final int IIR_RLS = 0x06;
    private static final int IIR_RDA = 0x04;
    private static final int IIR_CHAR_TIMEOUT = 0x0c;
    private static final int IIR_THRE = 0x02;
    private static final int IIR_MODEM_STATUS = 0x00;
    private static final int IIR_FIFOS_ENABLED = 0xc0;

    private static final int FCR_FIFO_ENABLE = 0x01;
    private static final int FCR_CLEAR_RX = 0x02;
    /** FCR bits that stay set: enable, DMA mode select, RX trigger level. */
    private static final int FCR_STORED = 0xc9;

    private static final int LCR_DLAB = 0x80;

    private static final int LSR_DR = 0x01;
    private static final int LSR_OE = 0x02;
    private static final int LSR_THRE = 0x20;
    private static final int LSR_TEMT = 0x40;

    private final String id;
    private final BusRegion region;
    private final IrqLine irq;
    private final UartOutput output;
    private final long inputStallNanos;

    private final ByteRing rx = new ByteRing(RX_FIFO_SIZE);
    private int divisorLow = 0x0c; // 9600 baud from the 1.8432 MHz PC clock
    private int divisorHigh;
    private int ier;
    private int fcr;
    private int lcr;
    private int mcr;
    private int lineErrors;
    private int modemDeltas;
    private int scratch;
    private int lastReceived;
    private boolean thrInterruptPending;

    private boolean irqAsserted;
    private int waitingProducers;
    private boolean closed;

    /**
     * @param id   the device id
     * @param port the first of the eight I/O ports
     * @param irq  the interrupt line (COM1: GSI 4)
     * @param sink receives what the guest transmits; the UART flushes but never closes it
     */
    public Serial8250(String id, int port, IrqLine irq, OutputStream sink) {
        this(id, port, irq, sink, DEFAULT_INPUT_STALL);
    }

    /** As above, with how long a full RX FIFO may hold up {@link #enqueueInput} before input is dropped. */
    public Serial8250(String id, int port, IrqLine irq, OutputStream sink, Duration inputStall) {
        this.id = Objects.requireNonNull(id, "id");
        this.region = new BusRegion(BusRegion.AddressSpace.PIO, port, REGISTER_COUNT);
        this.irq = Objects.requireNonNull(irq, "irq");
        this.output = new UartOutput(this.id, Objects.requireNonNull(sink, "sink"));
        this.inputStallNanos = inputStall.toNanos();
    }

    /** COM1: id {@code serial0}, ports 0x3f8-0x3ff. */
    public static Serial8250 com1(IrqLine irq, OutputStream sink) {
        return new Serial8250("serial0", X86Layout.COM1_PORT, irq, sink);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public List<BusRegion> regions() {
        return List.of(region);
    }

    /** A wider access reaches consecutive registers, as an ISA bus splits it into byte cycles. */
    @Override
    public synchronized void read(long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (isRegister(offset, i) ? readRegister((int) offset + i) : 0xff);
        }
        updateIrq();
    }

    @Override
    public synchronized void write(long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            if (isRegister(offset, i)) {
                writeRegister((int) offset + i, data[i] & 0xff);
            }
        }
        updateIrq();
    }

    private static boolean isRegister(long offset, int i) {
        return offset >= 0 && offset < REGISTER_COUNT - i;
    }

    private int readRegister(int register) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch (register) {
            case RBR_THR_DLL:
                return dlab ? divisorLow : receive();
            case IER_DLM:
                return dlab ? divisorHigh : ier;
            case IIR_FCR: {
                int iir = iir();
                // Reading IIR acknowledges a THRE interrupt it reports (datasheet Table IV, reset control).
                if ((iir & 0x0f) == IIR_THRE) {
                    thrInterruptPending = false;
                }
                return iir;
            }
            case LCR:
                return lcr;
            case MCR:
                return mcr;
            case LSR: {
                int lsr = (rx.isEmpty() ? 0 : LSR_DR) | lineErrors | LSR_THRE | LSR_TEMT;
                lineErrors = 0; // error bits clear when LSR is read
                return lsr;
            }
            case MSR: {
                int msr = ModemSignals.lines(mcr) | modemDeltas;
                modemDeltas = 0; // delta bits clear when MSR is read
                return msr;
            }
            case SCR:
                return scratch;
            default:
                return 0xff;
        }
    }

    private void writeRegister(int register, int value) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch (register) {
            case RBR_THR_DLL -> {
                if (dlab) {
                    divisorLow = value;
                } else {
                    transmit(value);
                }
            }
            case IER_DLM -> {
                if (dlab) {
                    divisorHigh = value;
                } else {
                    writeIer(value & IER_MASK);
                }
            }
            case IIR_FCR -> writeFcr(value);
            case LCR -> lcr = value;
            case MCR -> writeMcr(value & ModemSignals.MCR_MASK);
            case SCR -> scratch = value;
            default -> {
                // LSR and MSR writes are factory test modes (datasheet, LSR note): ignored.
            }
        }
    }

    /** The interrupt identification, by the datasheet's priority order. */
    private int iir() {
        int id;
        if ((ier & IER_RLS) != 0 && lineErrors != 0) {
            id = IIR_RLS;
        } else if ((ier & IER_RDA) != 0 && !rx.isEmpty()) {
            // Below the trigger level the datasheet reports a character timeout instead.
            id = fifoEnabled() && rx.size() < triggerLevel() ? IIR_CHAR_TIMEOUT : IIR_RDA;
        } else if ((ier & IER_THRE) != 0 && thrInterruptPending) {
            id = IIR_THRE;
        } else if ((ier & IER_MS) != 0 && modemDeltas != 0) {
            id = IIR_MODEM_STATUS;
        } else {
            id = IIR_NO_INTERRUPT;
        }
        return id | (fifoEnabled() ? IIR_FIFOS_ENABLED : 0);
    }

    private boolean fifoEnabled() {
        return (fcr & FCR_FIFO_ENABLE) != 0;
    }

    private int triggerLevel() {
        return switch (fcr >> 6) {
            case 0 -> 1;
            case 1 -> 4;
            case 2 -> 8;
            default -> 14;
        };
    }

    private int rxCapacity() {
        return fifoEnabled() ? RX_FIFO_SIZE : 1;
    }

    private int receive() {
        if (rx.isEmpty()) {
            return lastReceived;
        }
        boolean wasFull = rx.size() >= rxCapacity();
        lastReceived = rx.poll();
        if (wasFull && waitingProducers > 0) {
            notifyAll();
        }
        return lastReceived;
    }

    private void transmit(int value) {
        // Writing THR acknowledges the THRE interrupt; the line drops before it rises again below.
        thrInterruptPending = false;
        updateIrq();
        if (ModemSignals.loopback(mcr)) {
            // Loopback: the transmitter output is wired to the receiver input (datasheet, MCR bit 4).
            if (rx.size() < rxCapacity()) {
                rx.offer(value);
            } else {
                // Overrun (datasheet, LSR bit 1): a full FIFO keeps its bytes and loses the new
                // one; the lone holding register of 16450 mode is overwritten.
                lineErrors |= LSR_OE;
                if (!fifoEnabled()) {
                    rx.clear();
                    rx.offer(value);
                }
            }
        } else {
            output.write(value);
        }
        thrInterruptPending = true;
    }

    private void writeIer(int value) {
        int changed = ier ^ value;
        ier = value;
        // Enabling ETBEI while THR is empty raises THRE at once, as on real parts (Linux's
        // serial8250_startup THRE test relies on it).
        if ((changed & IER_THRE) != 0) {
            thrInterruptPending = (value & IER_THRE) != 0;
        }
        output.flush();
    }

    private void writeFcr(int value) {
        // Changing the FIFO enable bit resets both FIFOs (datasheet, FCR bit 0).
        if (((value ^ fcr) & FCR_FIFO_ENABLE) != 0 || (value & FCR_CLEAR_RX) != 0) {
            clearRx();
        }
        fcr = value & FCR_STORED;
    }

    private void clearRx() {
        rx.clear();
        lineErrors &= ~LSR_OE;
        if (waitingProducers > 0) {
            notifyAll();
        }
    }

    private void writeMcr(int value) {
        modemDeltas |= ModemSignals.deltas(mcr, value);
        mcr = value;
    }

    private void updateIrq() {
        boolean pending = (iir() & IIR_NO_INTERRUPT) == 0;
        if (pending != irqAsserted) {
            irqAsserted = pending;
            if (pending) {
                irq.assertLine();
            } else {
                irq.deassertLine();
            }
        }
    }

    /**
     * Delivers host input to the receiver; called from a host thread, never a vCPU. Waits
     * while the RX FIFO is full; when the guest has made no room for the stall timeout
     * (nothing reads the port), the rest is dropped. In loopback mode the receiver is
     * disconnected from the line and the input is dropped.
     *
     * @return how many bytes were queued
     */
    public int enqueueInput(byte[] bytes) {
        int queued = 0;
        synchronized (this) {
            long lastProgress = System.nanoTime();
            while (queued < bytes.length && !closed && !ModemSignals.loopback(mcr)) {
                if (rx.size() < rxCapacity()) {
                    rx.offer(bytes[queued++]);
                    lastProgress = System.nanoTime();
                    continue;
                }
                updateIrq(); // make sure the guest knows there is something to read
                long waitNanos = inputStallNanos - (System.nanoTime() - lastProgress);
                if (waitNanos <= 0) {
                    break;
                }
                waitingProducers++;
                try {
                    wait(Math.max(1, waitNanos / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } finally {
                    waitingProducers--;
                }
            }
            updateIrq();
        }
        if (queued < bytes.length) {
            log.debug("{}: dropped {} input bytes, the guest is not reading", id, bytes.length - queued);
        }
        return queued;
    }

    /** The state for a snapshot; take it while the vCPUs are paused. */
    public synchronized SerialState state() {
        return new SerialState(divisorLow, divisorHigh, ier, fcr, lcr, mcr, lineErrors, modemDeltas, scratch,
                lastReceived, thrInterruptPending, rx.toArray());
    }

    /** Replaces the state with {@code state} (already validated by its constructor) and re-evaluates the line. */
    public synchronized void restore(SerialState state) {
        divisorLow = state.divisorLow();
        divisorHigh = state.divisorHigh();
        ier = state.ier();
        fcr = state.fcr();
        lcr = state.lcr();
        mcr = state.mcr();
        lineErrors = state.lineErrors();
        modemDeltas = state.modemDeltas();
        scratch = state.scratch();
        lastReceived = state.lastReceived();
        thrInterruptPending = state.thrInterruptPending();
        rx.clear();
        for (byte b : state.rxFifo()) {
            rx.offer(b);
        }
        updateIrq();
        notifyAll();
    }

    @Override
    public String snapshotId() {
        return id;
    }

    @Override
    public ComponentState saveState() {
        SerialState s = state();
        return new ComponentState(id, STATE_VERSION, new StateOutput().u8(s.divisorLow()).u8(s.divisorHigh()).u8(s.ier())
                .u8(s.fcr()).u8(s.lcr()).u8(s.mcr()).u8(s.lineErrors()).u8(s.modemDeltas()).u8(s.scratch())
                .u8(s.lastReceived()).bool(s.thrInterruptPending()).bytes(s.rxFifo()).toByteArray());
    }

    @Override
    public void restoreState(ComponentState state) throws StateException {
        StateInput in = stateInput(state, STATE_VERSION);
        try {
            SerialState s = new SerialState(in.u8(), in.u8(), in.u8(), in.u8(), in.u8(), in.u8(), in.u8(), in.u8(),
                    in.u8(), in.u8(), in.bool(), in.bytes(RX_FIFO_SIZE));
            in.end();
            restore(s);
        } catch (SnapshotException | IllegalArgumentException e) {
            throw new StateException(e.getMessage());
        }
    }

    /** Reads a payload of this device's {@code VERSION}; errors name the device. */
    private static StateInput stateInput(ComponentState state, int version) throws StateException {
        if (state.version() != version) {
            throw new StateException(state.id() + ": state version " + state.version() + ", this jvmm reads " + version);
        }
        return new StateInput(state.id(), state.payload());
    }

    /** Wakes a waiting {@link #enqueueInput} (which then drops its input) and flushes the sink. */
    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
        output.flush();
    }

    @Override
    public String toString() {
        return "Serial8250[" + id + " " + region + "]";
    }
}
