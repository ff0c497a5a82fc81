package io.jvmm.kvm;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PvClockTimeInfoTest {
    private static byte[] raw(int version, long tscTimestamp, long systemTime, int mul, int shift, int flags) {
        ByteBuffer b = ByteBuffer.allocate(PvClockTimeInfo.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, version).putLong(8, tscTimestamp).putLong(16, systemTime).putInt(24, mul);
        b.put(28, (byte) shift).put(29, (byte) flags);
        return b.array();
    }

    /** pvclock_scale_delta written out with big integers: ((delta shifted) * mul) >> 32. */
    private static long oracle(long systemTime, long tscTimestamp, long tsc, int mul, int shift) {
        BigInteger delta = new BigInteger(Long.toUnsignedString(tsc - tscTimestamp));
        delta = shift < 0 ? delta.shiftRight(-shift) : delta.shiftLeft(shift).mod(BigInteger.ONE.shiftLeft(64));
        return delta.multiply(BigInteger.valueOf(Integer.toUnsignedLong(mul))).shiftRight(32).longValue() + systemTime;
    }

    @Test
    void readsTheLayoutOfPvclockAbiH() {
        PvClockTimeInfo p = PvClockTimeInfo.parse(raw(6, 0x1122334455L, 987654321L, 0xC0000000, -2, 3));
        assertThat(p).isEqualTo(new PvClockTimeInfo(6, 0x1122334455L, 987654321L, 0xC0000000, (byte) -2, (byte) 3));
        assertThat(p.consistent()).isTrue();
        assertThat(PvClockTimeInfo.parse(raw(7, 0, 0, 0, 0, 0)).consistent()).isFalse();
        assertThatThrownBy(() -> PvClockTimeInfo.parse(new byte[31])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void scalesTheTscDeltaAsTheGuestDoes() {
        // A 2 GHz TSC: 0.5 ns per tick, i.e. mul 2^31 with no shift.
        PvClockTimeInfo half = PvClockTimeInfo.parse(raw(2, 1_000, 5_000_000, 0x8000_0000, 0, 0));
        assertThat(half.nanosAt(1_000 + 2_000_000_000L)).isEqualTo(5_000_000 + 1_000_000_000L);
        // Shifts both ways, an unsigned mul above 2^31 and deltas whose product passes 2^64.
        long[][] cases = {{0, 3_000_000_000L, 0xF0000000L, -1}, {123, 1L << 40, 0xFFFFFFFFL, 2},
                {7, (1L << 62) + 12345, 0x9ABCDEF0L, -3}, {1L << 50, (1L << 50) + 999_999_937L, 0x1234L, 5}};
        for (long[] c : cases) {
            int mul = (int) c[2];
            int shift = (int) c[3];
            PvClockTimeInfo p = PvClockTimeInfo.parse(raw(4, c[0], 42, mul, shift, 0));
            assertThat(p.nanosAt(c[1])).as("case %s", java.util.Arrays.toString(c))
                    .isEqualTo(oracle(42, c[0], c[1], mul, shift));
        }
    }

    @Test
    void theMsrValueEnablesWithBitZero() {
        assertThat(PvClockTimeInfo.structureAddress(0x7fff_e001L)).isEqualTo(0x7fff_e000L);
        assertThat(PvClockTimeInfo.structureAddress(0x7fff_e000L)).isEqualTo(-1);
    }
}
