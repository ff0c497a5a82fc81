package io.jvmm.vfio.pci;

import io.jvmm.testkit.TestBarAllocator;
import io.jvmm.spi.PciBar;
import io.jvmm.spi.PciDevice;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GuestBarsTest {
    private final GuestBars bars = new GuestBars();
    private List<PciBar> placed;

    @BeforeEach
    void place() {
        placed = bars.place(List.of(new BarSpec(0, PciBar.Type.MMIO64, true, 0x4000),
                new BarSpec(2, PciBar.Type.IO, false, 0x100),
                new BarSpec(3, PciBar.Type.MMIO32, false, 0x1000),
                new BarSpec(PciBar.ROM_INDEX, PciBar.Type.MMIO32, false, 0x10000)), new TestBarAllocator());
    }

    private static byte[] le(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    @Test
    void barsAreGivenAddressesByTheVmmsAllocatorAndShowThemWithTheirFlags() {
        assertThat(placed).containsExactly(
                new PciBar(0, 0x1_0000_0000L, 0x4000, PciBar.Type.MMIO64, true),
                new PciBar(2, 0x1000, 0x100, PciBar.Type.IO, false),
                new PciBar(3, 0xc000_0000L, 0x1000, PciBar.Type.MMIO32, false),
                new PciBar(PciBar.ROM_INDEX, 0xc001_0000L, 0x10000, PciBar.Type.MMIO32, false));
        assertThat(bars.read(4)).isEqualTo(0x0000_000c); // 64-bit prefetchable, low half 0
        assertThat(bars.read(5)).isEqualTo(0x1);
        assertThat(bars.read(6)).isEqualTo(0x1001);
        assertThat(bars.read(7)).isEqualTo(0xc000_0000);
        assertThat(bars.read(8)).isZero(); // no BAR 4
        assertThat(bars.read(12)).isEqualTo(0xc001_0000);
    }

    @Test
    void allOnesReadsBackTheSizeMaskAndLinuxsProbeMovesNothing() {
        // drivers/pci/probe.c __pci_read_base: all-ones, read, restore; low half, then high half.
        assertThat(bars.write(4, 0, le(0xffff_ffff))).isNull();
        assertThat(bars.read(4)).isEqualTo(0xffff_c00c);
        assertThat(bars.write(4, 0, le(0x0000_000c))).isNull();
        assertThat(bars.write(5, 0, le(0xffff_ffff))).isNull();
        assertThat(bars.read(5)).isEqualTo(0xffff_ffff);
        assertThat(bars.write(5, 0, le(0x1))).isNull();
        assertThat(bars.read(4)).isEqualTo(0x0000_000c);
        assertThat(bars.read(5)).isEqualTo(0x1);

        assertThat(bars.write(6, 0, le(0xffff_ffff))).isNull();
        assertThat(bars.read(6)).isEqualTo(0xffff_ff01);
        assertThat(bars.write(12, 0, le(0xffff_fffe))).isNull();
        assertThat(bars.read(12)).isEqualTo(0xffff_0000);
    }

    @Test
    void aNewAddressIsReportedAsAMoveAndTakesEffectWhenTheVmmMovesIt() {
        PciDevice.BarReprogram move = bars.write(7, 0, le(0xd000_0000));

        assertThat(move).isEqualTo(new PciDevice.BarReprogram(placed.get(2), 0xd000_0000L));
        assertThat(bars.read(7)).isEqualTo(0xd000_0000);
        assertThat(bars.moved(0xc000_0000L, 0xd000_0000L)).contains(
                new PciBar(3, 0xd000_0000L, 0x1000, PciBar.Type.MMIO32, false));
        assertThat(bars.placement(3).orElseThrow().address()).isEqualTo(0xd000_0000L);
        assertThat(bars.write(7, 0, le(0xd000_0000))).isNull();
    }

    @Test
    void a64BitBarMovedHalfByHalfEndsWhereBothHalvesSay() {
        PciDevice.BarReprogram first = bars.write(4, 0, le(0x8000_0000));
        assertThat(first.newAddress()).isEqualTo(0x1_8000_0000L);
        // The VMM could not make that move (say it overlapped): nothing moved.
        PciDevice.BarReprogram second = bars.write(5, 0, le(0x2));
        assertThat(second).isEqualTo(new PciDevice.BarReprogram(placed.get(0), 0x2_8000_0000L));
    }

    @Test
    void bitsBelowTheSizeAreHardwiredToZero() {
        assertThat(bars.write(7, 0, le(0xd000_0abc)).newAddress()).isEqualTo(0xd000_0000L);
    }

    @Test
    void byteWritesMergeIntoTheRegister() {
        PciDevice.BarReprogram move = bars.write(7, 3, new byte[] {(byte) 0xe0});
        assertThat(move.newAddress()).isEqualTo(0xe000_0000L);
    }

    @Test
    void romEnableBitIsKeptAndDoesNotMoveTheRom() {
        assertThat(bars.write(12, 0, le(0xc001_0001))).isNull();
        assertThat(bars.read(12)).isEqualTo(0xc001_0001);
    }
}
