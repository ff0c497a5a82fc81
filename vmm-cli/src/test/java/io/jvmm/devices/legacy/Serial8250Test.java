package io.jvmm.devices.legacy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class Serial8250Test {
    private static final int RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4,
            LSR = 5, MSR = 6, SCR = 7;

    private final RecordingIrqLine irq = new RecordingIrqLine(4);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private Serial8250 uart;

    @BeforeEach
    void setUp() {
        uart = new Serial8250("serial0", 0x3f8, irq, out, Duration.ofMillis(50));
    }

    private int in(int register) {
        byte[] data = new byte[1];
        uart.read(register, data);
        return data[0] & 0xff;
    }

    private void out(int register, int value) {
        uart.write(register, new byte[] {(byte) value});
    }

    @Test
    void claimsEightPortsAtCom1() {
        Serial8250 com1 = Serial8250.com1(irq, out);
        assertThat(com1.id()).isEqualTo("serial0");
        assertThat(com1.regions()).singleElement().satisfies(r -> {
            assertThat(r.base()).isEqualTo(0x3f8);
            assertThat(r.length()).isEqualTo(8);
        });
    }

    @Test
    void resetStateHasAnEmptyTransmitterAndNoInterrupt() {
        assertThat(in(LSR)).isEqualTo(0x60); // THRE | TEMT
        assertThat(in(IIR)).isEqualTo(0x01);
        assertThat(in(IER)).isZero();
        assertThat(in(MSR) & 0xf0).isEqualTo(0xb0); // DCD, DSR, CTS: a terminal is attached
        assertThat(irq.calls()).isEmpty();
    }

    @Test
    void scratchRegisterHoldsAnyValue() {
        out(SCR, 0xa5);
        assertThat(in(SCR)).isEqualTo(0xa5);
        out(SCR, 0x5a);
        assertThat(in(SCR)).isEqualTo(0x5a);
    }

    @Test
    void dlabSwitchesOffsetsZeroAndOneToTheDivisorLatch() {
        out(IER, 0x05);
        out(LCR, 0x83);
        out(DLL, 0x01);
        out(DLM, 0x02);
        assertThat(in(DLL)).isEqualTo(0x01);
        assertThat(in(DLM)).isEqualTo(0x02);
        assertThat(out.size()).isZero(); // the DLL write did not transmit

        out(LCR, 0x03);
        assertThat(in(IER)).isEqualTo(0x05);
        assertThat(in(LCR)).isEqualTo(0x03);
        assertThat(uart.state().divisorLow()).isEqualTo(1);
        assertThat(uart.state().divisorHigh()).isEqualTo(2);
    }

    @Test
    void ierUpperBitsReadZeroAsLinuxAutoconfigExpects() {
        out(IER, 0x00);
        assertThat(in(IER) & 0x0f).isZero();
        out(IER, 0xff);
        assertThat(in(IER)).isEqualTo(0x0f); // no UUE bit (bit 6): not an XScale UART
    }

    @Test
    void loopbackReflectsModemControlInModemStatus() {
        // Linux autoconfig: MCR = LOOP | OUT2 | RTS must read back DCD | CTS.
        out(MCR, 0x1a);
        assertThat(in(MSR) & 0xf0).isEqualTo(0x90);
        out(MCR, 0x1f);
        assertThat(in(MSR) & 0xf0).isEqualTo(0xf0);
        out(MCR, 0x10);
        assertThat(in(MSR) & 0xf0).isZero();
    }

    @Test
    void modemStatusDeltaBitsTrackChangesAndClearOnRead() {
        out(MCR, 0x10 | 0x04); // loop, OUT1 -> RI
        in(MSR);
        out(MCR, 0x10); // RI falls: trailing edge
        assertThat(in(MSR) & 0x0f).isEqualTo(0x04); // TERI only
        assertThat(in(MSR) & 0x0f).isZero();
    }

    @Test
    void loopbackSendsTransmittedBytesToTheReceiver() {
        out(FCR, 0x01);
        out(MCR, 0x10);
        out(THR, 'x');
        out(THR, 'y');
        assertThat(out.size()).isZero();
        assertThat(in(LSR) & 0x01).isEqualTo(1);
        assertThat(in(RBR)).isEqualTo('x');
        assertThat(in(RBR)).isEqualTo('y');
        assertThat(in(LSR) & 0x01).isZero();
    }

    @Test
    void iirReportsFifosEnabledInItsTopBits() {
        out(FCR, 0x01);
        assertThat(in(IIR)).isEqualTo(0xc1);
        out(FCR, 0x00);
        assertThat(in(IIR)).isEqualTo(0x01);
    }

    @Test
    void linuxAutoconfigSeesA16550A() {
        // drivers/tty/serial/8250/8250_port.c autoconfig(), step by step.
        out(IER, 0);
        int scratch2 = in(IER) & 0x0f;
        out(IER, 0x0f);
        int scratch3 = in(IER) & 0x0f;
        out(IER, 0);
        assertThat(scratch2).isZero();
        assertThat(scratch3).isEqualTo(0x0f);

        out(MCR, 0x10 | 0x0a);
        assertThat(in(MSR) & 0xf0).isEqualTo(0x90);
        out(MCR, 0);

        out(LCR, 0xbf);
        out(FCR, 0); // EFR on a 16650; the FCR here
        out(LCR, 0);
        out(FCR, 0x01);
        assertThat(in(IIR) >> 6).isEqualTo(3); // autoconfig_16550a

        out(LCR, 0x80);
        assertThat(in(IIR)).isNotZero(); // EFR check with DLAB set: no EFR
        out(LCR, 0xbf);
        assertThat(in(IIR)).isNotZero();

        out(LCR, 0);
        out(FCR, 0x01 | 0x20); // 64-byte FIFO request: a 16550A ignores it
        assertThat(in(IIR) & 0xe0).isEqualTo(0xc0);
    }

    @Test
    void transmittedBytesReachTheSinkAndNewlineFlushes() {
        int[] flushes = {0};
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                out.write(b);
            }

            @Override
            public void flush() {
                flushes[0]++;
            }
        };
        uart = new Serial8250("serial0", 0x3f8, irq, sink);
        for (byte b : "ok\n".getBytes(StandardCharsets.US_ASCII)) {
            out(THR, b);
        }
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("ok\n");
        assertThat(flushes[0]).isEqualTo(1);

        out(THR, '$');
        out(IER, 0); // the end of a transmit burst flushes a prompt without newline
        assertThat(flushes[0]).isEqualTo(2);
    }

    @Test
    void threInterruptRisesWhenEnabledAndDropsWhenIirIsRead() {
        out(IER, 0x02);
        assertThat(irq.calls()).containsExactly(true);
        assertThat(in(IIR)).isEqualTo(0x02);
        assertThat(irq.calls()).containsExactly(true, false);
        assertThat(in(IIR)).isEqualTo(0x01);

        // Writing THR drops and raises the line again: an edge per transmitted byte.
        irq.clear();
        out(THR, 'a');
        assertThat(irq.calls()).containsExactly(true);
        out(THR, 'b');
        assertThat(irq.calls()).containsExactly(true, false, true);

        out(IER, 0);
        assertThat(irq.level()).isFalse();
    }

    @Test
    void threInterruptIsReassertedWhenEtbeiIsToggled() {
        // serial8250_startup's THRE test: enable, read IIR, disable, enable, read IIR again.
        out(IER, 0x02);
        int iir1 = in(IIR);
        out(IER, 0);
        out(IER, 0x02);
        int iir2 = in(IIR);
        out(IER, 0);
        assertThat(iir1 & 0x01).isZero();
        assertThat(iir2 & 0x01).isZero();
    }

    @Test
    void receivedDataRaisesTheLineUntilTheFifoIsDrained() {
        out(FCR, 0x81); // FIFO on, trigger at 8 bytes
        out(IER, 0x01);
        assertThat(uart.enqueueInput("hi".getBytes(StandardCharsets.US_ASCII))).isEqualTo(2);
        assertThat(irq.level()).isTrue();
        assertThat(in(IIR) & 0x0f).isEqualTo(0x0c); // below the trigger level: character timeout

        assertThat(in(RBR)).isEqualTo('h');
        assertThat(irq.level()).isTrue();
        assertThat(in(RBR)).isEqualTo('i');
        assertThat(irq.level()).isFalse();
        assertThat(irq.calls()).containsExactly(true, false);
        assertThat(in(LSR) & 0x01).isZero();
    }

    @Test
    void rdaIsReportedAtTheTriggerLevelAndOutranksThre() {
        out(FCR, 0x41); // FIFO on, trigger at 4 bytes
        out(IER, 0x03);
        uart.enqueueInput(new byte[] {1, 2, 3, 4});
        assertThat(in(IIR)).isEqualTo(0xc4);
    }

    @Test
    void disabledReceiveInterruptKeepsTheLineLow() {
        out(FCR, 0x01);
        uart.enqueueInput(new byte[] {1});
        assertThat(irq.calls()).isEmpty();
        assertThat(in(LSR) & 0x01).isEqualTo(1);
    }

    @Test
    void aFullFifoDropsInputAfterTheStallTimeout() {
        out(FCR, 0x01);
        byte[] paste = new byte[Serial8250.RX_FIFO_SIZE + 10];
        long start = System.nanoTime();
        assertThat(uart.enqueueInput(paste)).isEqualTo(Serial8250.RX_FIFO_SIZE);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(40));
        assertThat(uart.state().rxFifo()).hasSize(Serial8250.RX_FIFO_SIZE);
    }

    @Test
    void aFullFifoMakesTheHostWaitForTheGuestToRead() throws Exception {
        uart = new Serial8250("serial0", 0x3f8, irq, out, Duration.ofSeconds(10));
        out(FCR, 0x01);
        byte[] paste = new byte[Serial8250.RX_FIFO_SIZE + 3];
        for (int i = 0; i < paste.length; i++) {
            paste[i] = (byte) i;
        }
        CompletableFuture<Integer> producer = CompletableFuture.supplyAsync(() -> uart.enqueueInput(paste));
        while (uart.state().rxFifo().length < Serial8250.RX_FIFO_SIZE) {
            Thread.sleep(1);
        }
        assertThat(producer).isNotDone();
        for (int i = 0; i < paste.length; i++) {
            while ((in(LSR) & 0x01) == 0) {
                Thread.onSpinWait();
            }
            assertThat(in(RBR)).isEqualTo(i);
        }
        assertThat(producer.get(5, TimeUnit.SECONDS)).isEqualTo(paste.length);
    }

    @Test
    void loopbackOverrunSetsOeAndRaisesALineStatusInterrupt() {
        out(IER, 0x04);
        out(MCR, 0x10); // FIFOs off: one holding register
        out(THR, 1);
        out(THR, 2);
        assertThat(irq.level()).isTrue();
        assertThat(in(IIR)).isEqualTo(0x06);
        assertThat(in(LSR) & 0x02).isEqualTo(0x02);
        assertThat(in(LSR) & 0x02).isZero();
        assertThat(irq.level()).isFalse();
        assertThat(in(RBR)).isEqualTo(2);
    }

    @Test
    void fcrClearsTheReceiveFifo() {
        out(FCR, 0x01);
        uart.enqueueInput(new byte[] {1, 2, 3});
        out(FCR, 0x03);
        assertThat(in(LSR) & 0x01).isZero();
    }

    @Test
    void nonsenseOffsetsAndWidthsDoNotThrow() {
        byte[] data = new byte[8];
        uart.read(-1, data);
        assertThat(data).containsOnly((byte) 0xff);
        uart.read(100, new byte[4]);
        uart.write(Long.MAX_VALUE, new byte[8]);
        uart.write(6, new byte[] {1, 2, 3, 4}); // MSR, SCR, then past the end
        assertThat(in(SCR)).isEqualTo(2);
        uart.read(0, new byte[0]);
    }

    @Test
    void stateRoundTripsThroughRestore() {
        out(FCR, 0x81);
        out(IER, 0x01);
        out(SCR, 0x42);
        out(LCR, 0x1b);
        uart.enqueueInput(new byte[] {7, 8});
        SerialState saved = uart.state();

        RecordingIrqLine otherIrq = new RecordingIrqLine(4);
        Serial8250 copy = new Serial8250("serial0", 0x3f8, otherIrq, new ByteArrayOutputStream());
        copy.restore(saved);

        assertThat(copy.state()).isEqualTo(saved);
        assertThat(otherIrq.level()).isTrue();
        byte[] data = new byte[1];
        copy.read(RBR, data);
        assertThat(data[0]).isEqualTo((byte) 7);
    }
}
