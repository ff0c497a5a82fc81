package io.jvmm.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.boot.E820Entry.Type;
import java.util.List;
import org.junit.jupiter.api.Test;

class E820MapTest {
    private static final long GIB = 1L << 30;

    @Test
    void aSmallGuestHasLowRamAndTheReservedAreas() {
        assertThat(E820Map.of(RamLayout.forSize(512 << 20))).containsExactly(
                new E820Entry(0, 0x9_fc00, Type.RAM),
                new E820Entry(0x9_fc00, 0x400, Type.RESERVED),
                new E820Entry(0xe_0000, 0x2_0000, Type.RESERVED),
                new E820Entry(0x10_0000, (512 << 20) - 0x10_0000, Type.RAM),
                new E820Entry(0xe000_0000L, 0x10_0000, Type.RESERVED));
    }

    @Test
    void aLargeGuestContinuesAbove4GiB() {
        List<E820Entry> map = E820Map.of(RamLayout.forSize(8 * GIB));
        assertThat(map).contains(
                new E820Entry(0x10_0000, 0xc000_0000L - 0x10_0000, Type.RAM),
                new E820Entry(4 * GIB, 5 * GIB, Type.RAM));
        for (int i = 1; i < map.size(); i++) {
            assertThat(map.get(i).address()).isGreaterThanOrEqualTo(map.get(i - 1).end());
        }
    }

    @Test
    void ramLayoutSplitsAtTheMmioHole() {
        RamLayout r = RamLayout.forSize(4 * GIB);
        assertThat(r.lowRamEnd()).isEqualTo(3 * GIB);
        assertThat(r.highRamSize()).isEqualTo(GIB);
        assertThat(r.ramEnd()).isEqualTo(5 * GIB);
        assertThat(RamLayout.forSize(3 * GIB).hasHighRam()).isFalse();
        assertThatThrownBy(() -> RamLayout.forSize(512 * 1024)).isInstanceOf(IllegalArgumentException.class);
    }
}
