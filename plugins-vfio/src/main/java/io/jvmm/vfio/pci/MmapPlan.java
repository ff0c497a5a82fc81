package io.jvmm.vfio.pci;

import io.jvmm.vfio.backend.MmapArea;
import io.jvmm.vfio.backend.RegionInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * Which parts of a BAR are mapped into the guest (so accesses do not exit) and which stay
 * trapped. The pages holding the MSI-X table and PBA always trap, so the table can be
 * virtualised; mapping the rest follows the region's capabilities as the seed does:
 * <ul>
 * <li>no VFIO_REGION_INFO_FLAG_MMAP: nothing is mapped;</li>
 * <li>a sparse-mmap capability: only its areas (minus the MSI-X pages);</li>
 * <li>MSIX_MAPPABLE, or no MSI-X structure in the BAR: the whole region minus the MSI-X pages;</li>
 * <li>MSI-X in the BAR but neither capability: nothing (an older kernel would refuse the mmap).</li>
 * </ul>
 * A table that does not start on a page boundary traps its whole page; accesses to the rest of
 * that page go through the region read/write path (slower, still correct).
 */
public final class MmapPlan {
    public static final long PAGE = 4096;

    private MmapPlan() {
    }

    /**
     * @param barSize  the BAR's size as the guest sees it (areas beyond it are cut)
     * @param trapped  ranges of the BAR that must trap (see {@link #msixRanges})
     */
    public static List<MmapArea> areas(RegionInfo region, long barSize, List<MmapArea> trapped) {
        if (!region.mappable() || region.size() == 0) {
            return List.of();
        }
        List<MmapArea> areas;
        if (region.sparseAreas() != null) {
            areas = region.sparseAreas();
        } else if (!trapped.isEmpty() && !region.msixMappable()) {
            return List.of();
        } else {
            areas = List.of(new MmapArea(0, region.size()));
        }
        long limit = Math.min(region.size(), barSize);
        List<MmapArea> out = new ArrayList<>();
        for (MmapArea area : areas) {
            long start = alignUp(area.offset());
            long end = Math.min(alignDown(area.end()), alignDown(limit));
            List<long[]> pieces = new ArrayList<>();
            pieces.add(new long[] {start, end});
            for (MmapArea trap : trapped) {
                long trapStart = alignDown(trap.offset());
                long trapEnd = alignUp(trap.end());
                List<long[]> next = new ArrayList<>();
                for (long[] p : pieces) {
                    if (trapEnd <= p[0] || trapStart >= p[1]) {
                        next.add(p);
                        continue;
                    }
                    if (trapStart > p[0]) {
                        next.add(new long[] {p[0], trapStart});
                    }
                    if (trapEnd < p[1]) {
                        next.add(new long[] {trapEnd, p[1]});
                    }
                }
                pieces = next;
            }
            for (long[] p : pieces) {
                if (p[1] > p[0]) {
                    out.add(new MmapArea(p[0], p[1] - p[0]));
                }
            }
        }
        out.sort(java.util.Comparator.comparingLong(MmapArea::offset));
        return out;
    }

    /** The MSI-X table and PBA ranges inside BAR {@code bar}, or none. */
    public static List<MmapArea> msixRanges(int bar, MsixCapability msix) {
        List<MmapArea> out = new ArrayList<>();
        if (msix != null) {
            if (msix.tableBir() == bar) {
                out.add(new MmapArea(msix.tableOffset(), msix.tableSize()));
            }
            if (msix.pbaBir() == bar) {
                out.add(new MmapArea(msix.pbaOffset(), msix.pbaSize()));
            }
        }
        return out;
    }

    static long alignDown(long v) {
        return v & -PAGE;
    }

    static long alignUp(long v) {
        return (v + PAGE - 1) & -PAGE;
    }
}
