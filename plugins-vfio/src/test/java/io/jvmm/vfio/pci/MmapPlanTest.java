package io.jvmm.vfio.pci;

import io.jvmm.vfio.backend.MmapArea;
import io.jvmm.vfio.backend.RegionInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MmapPlanTest {
    private static RegionInfo region(long size, boolean mmap, List<MmapArea> sparse, boolean msixMappable) {
        return new RegionInfo(0, size, true, true, mmap, sparse, msixMappable, 3, 0);
    }

    private static final List<MmapArea> TABLE_AND_PBA = List.of(new MmapArea(0x2000, 65 * 16), new MmapArea(0x3000, 16));

    @Test
    void msixMappableRegionIsMappedAroundTheTableAndPbaPages() {
        assertThat(MmapPlan.areas(region(0x8000, true, null, true), 0x8000, TABLE_AND_PBA))
                .containsExactly(new MmapArea(0, 0x2000), new MmapArea(0x4000, 0x4000));
    }

    @Test
    void tableAndPbaSharingAPageTrapOnlyThatPage() {
        List<MmapArea> traps = List.of(new MmapArea(0x2000, 65 * 16), new MmapArea(0x2410, 16));
        assertThat(MmapPlan.areas(region(0x4000, true, null, true), 0x4000, traps))
                .containsExactly(new MmapArea(0, 0x2000), new MmapArea(0x3000, 0x1000));
    }

    @Test
    void aTableNotOnAPageBoundaryTrapsItsWholePage() {
        List<MmapArea> traps = List.of(new MmapArea(0x1800, 0x100));
        assertThat(MmapPlan.areas(region(0x4000, true, null, true), 0x4000, traps))
                .containsExactly(new MmapArea(0, 0x1000), new MmapArea(0x2000, 0x2000));
    }

    @Test
    void sparseMmapCapabilityIsHonoured() {
        List<MmapArea> sparse = List.of(new MmapArea(0, 0x1000), new MmapArea(0x3000, 0x1000));
        assertThat(MmapPlan.areas(region(0x4000, true, sparse, false), 0x4000, TABLE_AND_PBA))
                .containsExactly(new MmapArea(0, 0x1000));
    }

    @Test
    void msixInABarWithoutMsixMappableOrSparseMmapIsNotMapped() {
        assertThat(MmapPlan.areas(region(0x4000, true, null, false), 0x4000, TABLE_AND_PBA)).isEmpty();
    }

    @Test
    void aBarWithoutMsixIsMappedWhole() {
        assertThat(MmapPlan.areas(region(0x4000, true, null, false), 0x4000, List.of()))
                .containsExactly(new MmapArea(0, 0x4000));
    }

    @Test
    void aRegionWithoutTheMmapFlagTraps() {
        assertThat(MmapPlan.areas(region(0x4000, false, null, true), 0x4000, List.of())).isEmpty();
    }

    @Test
    void subPageRegionsCannotBeMapped() {
        assertThat(MmapPlan.areas(region(0x100, true, null, false), 0x1000, List.of())).isEmpty();
    }
}
