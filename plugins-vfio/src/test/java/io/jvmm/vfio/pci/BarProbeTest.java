package io.jvmm.vfio.pci;

import io.jvmm.spi.PciBar;
import io.jvmm.vfio.FakeBackend;
import io.jvmm.vfio.backend.PassthroughBackend;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BarProbeTest {
    @Test
    void findsTypeSizeAndPrefetchOfEveryBarAndTheRom() {
        FakeBackend device = FakeBackend.nvmeLike();

        var bars = BarProbe.probe(new PhysicalConfig(device), device);

        assertThat(bars).containsExactly(
                new BarSpec(0, PciBar.Type.MMIO64, false, 0x4000),
                new BarSpec(2, PciBar.Type.IO, false, 0x100),
                new BarSpec(4, PciBar.Type.MMIO32, true, 0x1000),
                new BarSpec(PciBar.ROM_INDEX, PciBar.Type.MMIO32, false, 0x10000));
    }

    @Test
    void writesTheOriginalRegistersBack() {
        FakeBackend device = FakeBackend.nvmeLike();
        int[] before = new int[7];
        for (int i = 0; i < 6; i++) {
            before[i] = device.config32(0x10 + 4 * i);
        }
        before[6] = device.config32(0x30);

        BarProbe.probe(new PhysicalConfig(device), device);

        for (int i = 0; i < 6; i++) {
            assertThat(device.config32(0x10 + 4 * i)).as("BAR %d", i).isEqualTo(before[i]);
        }
        assertThat(device.config32(0x30)).isEqualTo(before[6]);
    }

    @Test
    void aBarWithoutAVfioRegionIsLeftOut() {
        FakeBackend device = FakeBackend.nvmeLike();
        device.regions.remove(4);

        assertThat(BarProbe.probe(new PhysicalConfig(device), device)).extracting(BarSpec::index)
                .containsExactly(0, 2, PciBar.ROM_INDEX);
    }

    @Test
    void unimplementedBarsAndNoRomGiveNothing() {
        FakeBackend device = new FakeBackend();
        device.set(0x00, 4, 0x0010_1b36);
        device.bar(1, 0x1_0000_0000L, 0xc, 0x80_0000_0000L); // 4 GiB, 64-bit prefetchable at BAR1/2
        device.region(1, 0x1_0000_0000L, true, true, null, false);
        device.regions.put(PassthroughBackend.ROM_REGION, io.jvmm.vfio.backend.RegionInfo.absent(6));

        assertThat(BarProbe.probe(new PhysicalConfig(device), device))
                .containsExactly(new BarSpec(1, PciBar.Type.MMIO64, true, 0x1_0000_0000L));
    }
}
