package io.jvmm.devices.legacy;

import io.jvmm.spi.BusRegion;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class AcpiPmDeviceTest {
    private static final int PM1_STS = 0;
    private static final int PM1_EN = 2;
    private static final int PM1_CNT = 4;
    private static final int SLP_EN = 1 << 13;

    private final AtomicInteger powerOffs = new AtomicInteger();
    private final RecordingIrqLine sci = new RecordingIrqLine(9);
    private final AcpiPmDevice pm = new AcpiPmDevice(powerOffs::incrementAndGet, sci);

    private int read16(int offset) {
        byte[] data = new byte[2];
        pm.read(offset, data);
        return (data[0] & 0xff) | (data[1] & 0xff) << 8;
    }

    private void write16(int offset, int value) {
        pm.write(offset, new byte[] {(byte) value, (byte) (value >> 8)});
    }

    private static int sleep(int type) {
        return type << 10 | SLP_EN;
    }

    @Test
    void claimsTheEventAndControlBlocks() {
        assertThat(pm.regions()).extracting(BusRegion::base, BusRegion::length)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0x600L, 4L),
                        org.assertj.core.groups.Tuple.tuple(0x604L, 2L));
    }

    @Test
    void s5PowersOff() {
        write16(PM1_CNT, sleep(AcpiPmDevice.S5_SLP_TYP) | 1);
        assertThat(powerOffs).hasValue(1);
    }

    @Test
    void otherSleepStatesAreIgnored() {
        write16(PM1_CNT, sleep(1));
        write16(PM1_CNT, sleep(3));
        assertThat(powerOffs).hasValue(0);
    }

    @Test
    void s5WithoutSlpEnDoesNothing() {
        write16(PM1_CNT, 5 << 10);
        assertThat(powerOffs).hasValue(0);
        assertThat(read16(PM1_CNT)).isEqualTo(5 << 10 | 1);
    }

    @Test
    void s5WrittenAsTwoBytesStillPowersOff() {
        pm.write(PM1_CNT, new byte[] {1});
        pm.write(PM1_CNT + 1, new byte[] {(byte) (sleep(5) >> 8)});
        assertThat(powerOffs).hasValue(1);
    }

    @Test
    void sciEnAlwaysReadsOneAndSlpEnReadsZero() {
        write16(PM1_CNT, 0);
        assertThat(read16(PM1_CNT) & 1).isEqualTo(1);
        write16(PM1_CNT, sleep(1));
        assertThat(read16(PM1_CNT) & SLP_EN).isZero();
    }

    @Test
    void powerButtonRaisesSciOnlyWhenEnabledAndStatusIsWriteOneToClear() {
        pm.pressPowerButton();
        assertThat(read16(PM1_STS) & 0x100).isEqualTo(0x100);
        assertThat(sci.calls()).isEmpty();

        write16(PM1_EN, 0x100);
        assertThat(read16(PM1_EN)).isEqualTo(0x100);
        assertThat(sci.level()).isTrue();

        write16(PM1_STS, 0x0001); // clears nothing that is set
        assertThat(sci.level()).isTrue();
        write16(PM1_STS, 0x0100);
        assertThat(read16(PM1_STS)).isZero();
        assertThat(sci.calls()).containsExactly(true, false);
    }

    @Test
    void oddAccessesDoNotThrow() {
        byte[] data = new byte[8];
        pm.read(-3, data);
        pm.read(3, data);
        assertThat(data[3]).isEqualTo((byte) 0xff);
        pm.write(1000, data);
        pm.write(-1, data);
        assertThat(powerOffs).hasValue(0);
    }
}
