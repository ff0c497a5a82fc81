package io.jvmm.devices.legacy;

import io.jvmm.spi.BusRegion;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class I8042Test {
    private static final int DATA = 0;
    private static final int COMMAND = 4;

    private final RecordingIrqLine irq = new RecordingIrqLine(1);
    private final AtomicInteger resets = new AtomicInteger();
    private final I8042 kbc = new I8042(irq, resets::incrementAndGet);

    private int in(int offset) {
        byte[] data = new byte[1];
        kbc.read(offset, data);
        return data[0] & 0xff;
    }

    private void out(int offset, int value) {
        kbc.write(offset, new byte[] {(byte) value});
    }

    /** What Linux's __i8042_command does for a command with one result byte. */
    private int command(int command) {
        assertThat(in(COMMAND) & 0x02).as("input buffer empty").isZero();
        out(COMMAND, command);
        assertThat(in(COMMAND) & 0x01).as("output buffer full").isEqualTo(1);
        return in(DATA);
    }

    @Test
    void claimsTheDataAndCommandPorts() {
        assertThat(kbc.regions()).extracting(BusRegion::base).containsExactly(0x60L, 0x64L);
    }

    @Test
    void pulsingTheResetLineCallsTheResetCallback() {
        out(COMMAND, 0xfe);
        assertThat(resets).hasValue(1);
        out(COMMAND, 0xff); // pulses nothing
        assertThat(resets).hasValue(1);
    }

    @Test
    void writingTheOutputPortWithBitZeroClearResets() {
        out(COMMAND, 0xd1);
        out(DATA, 0x03); // A20 on, reset line high: no reset
        assertThat(resets).hasValue(0);
        out(COMMAND, 0xd1);
        out(DATA, 0x02);
        assertThat(resets).hasValue(1);
    }

    @Test
    void selfTestsPass() {
        assertThat(command(0xaa)).isEqualTo(0x55);
        assertThat(command(0xab)).isEqualTo(0x00);
        assertThat(in(COMMAND) & 0x04).as("system flag").isEqualTo(0x04);
    }

    @Test
    void statusShowsNoKeylockAndAnEmptyBufferAtStart() {
        int status = in(COMMAND);
        assertThat(status).isNotEqualTo(0xff);
        assertThat(status & 0x01).isZero();
        assertThat(status & 0x10).isEqualTo(0x10);
    }

    @Test
    void commandByteReadsBackWhatWasWritten() {
        assertThat(command(0x20)).isEqualTo(0x45);
        out(COMMAND, 0x60);
        out(DATA, 0x74);
        assertThat(command(0x20)).isEqualTo(0x74);
        out(COMMAND, 0xae);
        out(COMMAND, 0xa8);
        assertThat(command(0x20)).isEqualTo(0x44);
        out(COMMAND, 0xad);
        out(COMMAND, 0xa7);
        assertThat(command(0x20)).isEqualTo(0x74);
    }

    @Test
    void auxPortIsReportedAbsentWithoutTimeouts() {
        // i8042_check_aux: the loop test must not come back as aux data...
        out(COMMAND, 0xd3);
        out(DATA, 0x5a);
        assertThat(in(COMMAND) & 0x21).isEqualTo(0x01);
        // ...and the interface test must report an error.
        int result = command(0xa9);
        assertThat(result).isNotIn(0x00, 0xfa, 0xff);
    }

    @Test
    void keyboardAcknowledgesResetAndPassesBat() {
        out(DATA, 0xff);
        assertThat(in(DATA)).isEqualTo(0xfa);
        assertThat(in(DATA)).isEqualTo(0xaa);
        assertThat(in(COMMAND) & 0x01).isZero();
    }

    @Test
    void keyboardAnswersAtkbdProbe() {
        out(DATA, 0xf2); // GETID, translated
        assertThat(new int[] {in(DATA), in(DATA), in(DATA)}).containsExactly(0xfa, 0xab, 0x41);
        out(DATA, 0xed); // SETLEDS + parameter
        assertThat(in(DATA)).isEqualTo(0xfa);
        out(DATA, 0x00);
        assertThat(in(DATA)).isEqualTo(0xfa);
        out(DATA, 0xf4);
        assertThat(in(DATA)).isEqualTo(0xfa);
        out(DATA, 0x42); // not a command
        assertThat(in(DATA)).isEqualTo(0xfe);
    }

    @Test
    void eachQueuedByteMakesItsOwnInterruptEdge() {
        out(DATA, 0xff); // answers FA, AA
        assertThat(irq.calls()).containsExactly(true);
        in(DATA);
        assertThat(irq.calls()).containsExactly(true, false, true);
        in(DATA);
        assertThat(irq.calls()).containsExactly(true, false, true, false);
        in(DATA); // empty: reads the last byte again, no change
        assertThat(irq.calls()).hasSize(4);
    }

    @Test
    void noInterruptWhenTheCommandByteDisablesIt() {
        out(COMMAND, 0x60);
        out(DATA, 0x44);
        out(DATA, 0xf4);
        assertThat(irq.calls()).isEmpty();
        assertThat(in(COMMAND) & 0x01).isEqualTo(1);
    }

    @Test
    void otherOffsetsAndWidthsAreHarmless() {
        byte[] data = new byte[4];
        kbc.read(2, data);
        assertThat(data).containsOnly((byte) 0xff);
        kbc.write(-5, new byte[] {(byte) 0xfe});
        kbc.write(0, new byte[0]);
        kbc.read(4, data);
        assertThat(data[1]).isEqualTo((byte) 0xff);
        assertThat(resets).hasValue(0);
    }
}
