package io.jvmm.devices.legacy;

import io.jvmm.spi.ComponentState;
import io.jvmm.spi.Snapshottable;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CmosRtcTest {
    private static final long MIB = 1024 * 1024;
    private static final long GIB = 1024 * MIB;
    /** Tuesday 2024-03-05 21:07:09 UTC. */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-03-05T21:07:09Z"), ZoneOffset.UTC);

    private final CmosRtc rtc = new CmosRtc(512 * MIB, 0, CLOCK);

    private int cmos(int index) {
        rtc.write(0, new byte[] {(byte) index});
        byte[] data = new byte[1];
        rtc.read(1, data);
        return data[0] & 0xff;
    }

    private void setCmos(int index, int value) {
        rtc.write(0, new byte[] {(byte) index});
        rtc.write(1, new byte[] {(byte) value});
    }

    @Test
    void timeIsBcdIn24HourFormByDefault() {
        assertThat(cmos(0x00)).isEqualTo(0x09);
        assertThat(cmos(0x02)).isEqualTo(0x07);
        assertThat(cmos(0x04)).isEqualTo(0x21);
        assertThat(cmos(0x06)).isEqualTo(3); // Sunday = 1
        assertThat(cmos(0x07)).isEqualTo(0x05);
        assertThat(cmos(0x08)).isEqualTo(0x03);
        assertThat(cmos(0x09)).isEqualTo(0x24);
        assertThat(cmos(0x32)).isEqualTo(0x20);
    }

    @Test
    void statusRegistersHaveTheirFixedValues() {
        assertThat(cmos(0x0a)).isEqualTo(0x26);
        assertThat(cmos(0x0b)).isEqualTo(0x02);
        assertThat(cmos(0x0c)).isZero();
        assertThat(cmos(0x0d)).isEqualTo(0x80);
        setCmos(0x0d, 0);
        assertThat(cmos(0x0d)).isEqualTo(0x80);
        setCmos(0x0a, 0xff);
        assertThat(cmos(0x0a) & 0x80).as("UIP").isZero();
    }

    @Test
    void registerBSelectsBinaryAnd12HourForms() {
        setCmos(0x0b, 0x06);
        assertThat(cmos(0x04)).isEqualTo(21);
        assertThat(cmos(0x09)).isEqualTo(24);
        assertThat(cmos(0x32)).isEqualTo(20);
        setCmos(0x0b, 0x00);
        assertThat(cmos(0x04)).isEqualTo(0x80 | 0x09); // 9 PM in BCD
    }

    @Test
    void theNmiMaskBitIsNotPartOfTheIndex() {
        rtc.write(0, new byte[] {(byte) (0x80 | 0x09)});
        byte[] data = new byte[1];
        rtc.read(1, data);
        assertThat(data[0]).isEqualTo((byte) 0x24);
    }

    @Test
    void memorySizeRegistersDescribeRam() {
        CmosRtc big = new CmosRtc(3 * GIB, 5 * GIB, CLOCK);
        int[] b = new int[0x60];
        for (int i = 0; i < b.length; i++) {
            big.write(0, new byte[] {(byte) i});
            byte[] data = new byte[1];
            big.read(1, data);
            b[i] = data[0] & 0xff;
        }
        assertThat(b[0x15] | b[0x16] << 8).isEqualTo(640);
        assertThat(b[0x17] | b[0x18] << 8).isEqualTo(0xffff);
        assertThat(b[0x30] | b[0x31] << 8).isEqualTo(0xffff);
        assertThat(b[0x34] | b[0x35] << 8).isEqualTo((int) ((3 * GIB - 16 * MIB) / 65536));
        assertThat(b[0x5b] | b[0x5c] << 8 | b[0x5d] << 16).isEqualTo((int) (5 * GIB / 65536));

        CmosRtc small = new CmosRtc(32 * MIB, 0, CLOCK);
        small.write(0, new byte[] {0x17});
        byte[] low = new byte[1];
        small.read(1, low);
        small.write(0, new byte[] {0x18});
        byte[] high = new byte[1];
        small.read(1, high);
        assertThat((low[0] & 0xff) | (high[0] & 0xff) << 8).isEqualTo(31 * 1024);
    }

    @Test
    void guestWritesMoveTheClockByAnOffset() {
        setCmos(0x0b, 0x82); // SET: freeze
        setCmos(0x09, 0x30);
        setCmos(0x04, 0x08);
        assertThat(cmos(0x09)).isEqualTo(0x30);
        setCmos(0x0b, 0x02);
        assertThat(cmos(0x09)).isEqualTo(0x30);
        assertThat(cmos(0x04)).isEqualTo(0x08);
        assertThat(cmos(0x02)).isEqualTo(0x07);
    }

    @Test
    void invalidTimeWritesAreIgnored() {
        setCmos(0x08, 0x13); // month 13
        assertThat(cmos(0x08)).isEqualTo(0x03);
        setCmos(0x07, 0x5a); // not BCD
        assertThat(cmos(0x07)).isEqualTo(0x05);
    }

    @Test
    void plainRamKeepsWhatIsWritten() {
        setCmos(0x40, 0xab);
        assertThat(cmos(0x40)).isEqualTo(0xab);
        setCmos(0x7f, 0x12);
        assertThat(cmos(0x7f)).isEqualTo(0x12);
    }

    @Test
    void oddAccessesDoNotThrow() {
        rtc.read(-1, new byte[4]);
        rtc.write(7, new byte[8]);
        byte[] both = new byte[2];
        rtc.write(0, new byte[] {0x09});
        rtc.read(0, both);
        assertThat(both[0]).isEqualTo((byte) 0x09);
        assertThat(both[1]).isEqualTo((byte) 0x24);
    }

    /** rtc's saved state with its clock offset replaced. */
    private ComponentState withOffset(long offset) {
        ComponentState saved = rtc.saveState();
        byte[] payload = saved.payload().clone();
        java.nio.ByteBuffer.wrap(payload).putLong(payload.length - 8, offset); // StateOutput is big-endian
        return new ComponentState(saved.id(), saved.version(), payload);
    }

    @Test
    void aSnapshotWithAClockOffsetNoGuestCouldSetIsRefusedOnRestore() {
        for (long offset : new long[] {Long.MAX_VALUE, Long.MIN_VALUE, CmosRtc.MAX_OFFSET_SECONDS + 1,
                -CmosRtc.MAX_OFFSET_SECONDS - 1}) {
            CmosRtc restored = new CmosRtc(512 * MIB, 0, CLOCK);
            assertThatThrownBy(() -> restored.restoreState(withOffset(offset))).as("offset %d", offset)
                    .isInstanceOf(Snapshottable.StateException.class)
                    .hasMessageContaining("more than a guest can set");
        }
    }

    @Test
    void theFarthestClockAGuestCanSetSurvivesSaveAndRestore() throws Exception {
        setCmos(0x0b, 0x86); // SET, binary, 24-hour: 25755-01-01 00:00:00
        for (int[] r : new int[][] {{0x32, 255}, {0x09, 255}, {0x08, 1}, {0x07, 1}, {0x04, 0}, {0x02, 0}, {0x00, 0}}) {
            setCmos(r[0], r[1]);
        }
        setCmos(0x0b, 0x06);
        CmosRtc restored = new CmosRtc(512 * MIB, 0, CLOCK);
        restored.restoreState(rtc.saveState());

        restored.write(0, new byte[] {0x09});
        byte[] year = new byte[1];
        restored.read(1, year);
        assertThat(year[0] & 0xff).isEqualTo(25755 % 100);
    }
}
