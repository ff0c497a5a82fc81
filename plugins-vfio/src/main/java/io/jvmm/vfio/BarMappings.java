package io.jvmm.vfio;

import io.jvmm.spi.GuestMemoryMapper;
import io.jvmm.spi.PciBar;
import io.jvmm.vfio.backend.MmapArea;
import io.jvmm.vfio.backend.PassthroughBackend;
import io.jvmm.vfio.backend.RegionInfo;
import io.jvmm.vfio.pci.MmapPlan;
import io.jvmm.vfio.pci.MsixCapability;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of the device's memory BARs mapped straight into the guest as memory slots, per
 * {@link MmapPlan}. A part that cannot be mapped is left to trap: slower, still correct.
 */
final class BarMappings implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BarMappings.class);

    private final String id;
    private final PassthroughBackend backend;
    private final GuestMemoryMapper mapper;
    private final MsixCapability msix;
    private final Map<Integer, List<GuestMemoryMapper.MappedMemory>> byBar = new HashMap<>();

    BarMappings(String id, PassthroughBackend backend, GuestMemoryMapper mapper, MsixCapability msix) {
        this.id = id;
        this.backend = backend;
        this.mapper = mapper;
        this.msix = msix;
    }

    /** Maps what may be mapped of {@code bar} at its current address. */
    synchronized void map(PciBar bar) {
        if (bar.type() == PciBar.Type.IO || bar.index() == PciBar.ROM_INDEX) {
            return;
        }
        RegionInfo region = backend.region(bar.index());
        List<MmapArea> areas = MmapPlan.areas(region, bar.size(), MmapPlan.msixRanges(bar.index(), msix));
        List<GuestMemoryMapper.MappedMemory> done = new ArrayList<>();
        for (MmapArea area : areas) {
            try {
                done.add(mapper.map(bar.address() + area.offset(), region.fd(), region.fdOffset() + area.offset(),
                        area.size(), region.writable()));
            } catch (RuntimeException e) {
                log.warn("{}: BAR {} [0x{}, +0x{}) stays trapped (slower): {}", id, bar.index(),
                        Long.toHexString(area.offset()), Long.toHexString(area.size()), e.getMessage());
            }
        }
        log.debug("{}: BAR {} at 0x{}: mapped {}", id, bar.index(), Long.toHexString(bar.address()), areas);
        byBar.put(bar.index(), done);
    }

    synchronized void unmap(int barIndex) {
        List<GuestMemoryMapper.MappedMemory> list = byBar.remove(barIndex);
        if (list != null) {
            list.forEach(BarMappings::closeQuietly);
        }
    }

    private static void closeQuietly(GuestMemoryMapper.MappedMemory m) {
        try {
            m.close();
        } catch (RuntimeException e) {
            log.warn("BAR mapping at 0x{} did not close cleanly: {}", Long.toHexString(m.guestAddress()), e.toString());
        }
    }

    @Override
    public synchronized void close() {
        byBar.values().forEach(list -> list.forEach(BarMappings::closeQuietly));
        byBar.clear();
    }
}
