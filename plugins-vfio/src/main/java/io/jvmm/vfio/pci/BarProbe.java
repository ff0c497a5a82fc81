package io.jvmm.vfio.pci;

import io.jvmm.spi.PciBar;
import io.jvmm.vfio.backend.PassthroughBackend;
import io.jvmm.vfio.backend.RegionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the device's BARs and sizes: the type bits come from the BAR registers, the size from
 * the usual all-ones probe (PCI Local Bus 3.0, 6.2.5.1) done on the device's config space,
 * which VFIO virtualises so the hardware is not touched; the original value is written back.
 * A BAR VFIO reports no region for is left out, as is one that probes to 0 (not implemented).
 */
public final class BarProbe {
    private static final Logger log = LoggerFactory.getLogger(BarProbe.class);

    private BarProbe() {
    }

    public static List<BarSpec> probe(PhysicalConfig config, PassthroughBackend backend) {
        List<BarSpec> bars = new ArrayList<>();
        for (int i = 0; i < PciRegs.BAR_COUNT; i++) {
            int offset = PciRegs.BAR0 + 4 * i;
            int original = config.read32(offset);
            boolean io = (original & PciRegs.BAR_IO) != 0;
            boolean is64 = !io && (original & PciRegs.BAR_MEM_TYPE_MASK) == PciRegs.BAR_MEM_64 && i < PciRegs.BAR_COUNT - 1;
            long mask = Integer.toUnsignedLong(sizeMask(config, offset));
            if (is64) {
                mask |= (long) sizeMask(config, offset + 4) << 32;
            } else {
                mask |= 0xffff_ffff_0000_0000L;
            }
            long size;
            if (io) {
                long m = mask & ~0x3L;
                if ((m & 0xffff_0000L) == 0) {
                    m |= 0xffff_ffff_ffff_0000L; // I/O BARs may decode only 16 bits (Linux drivers/pci/probe.c does the same)
                }
                size = (m & 0xffff_fffcL) == 0 ? 0 : ~m + 1;
            } else {
                long m = mask & ~0xfL;
                size = (m & (is64 ? -16L : 0xffff_fff0L)) == 0 ? 0 : ~m + 1;
            }
            int index = i;
            if (is64) {
                i++;
            }
            PciBar.Type type = io ? PciBar.Type.IO : is64 ? PciBar.Type.MMIO64 : PciBar.Type.MMIO32;
            boolean prefetchable = !io && (original & PciRegs.BAR_PREFETCHABLE) != 0;
            add(bars, backend, index, type, prefetchable, size);
        }
        int romOriginal = config.read32(PciRegs.ROM);
        config.write32(PciRegs.ROM, PciRegs.ROM_ADDRESS_MASK);
        int romMask = config.read32(PciRegs.ROM) & PciRegs.ROM_ADDRESS_MASK;
        config.write32(PciRegs.ROM, romOriginal);
        long romSize = romMask == 0 ? 0 : (~(romMask | 0xffff_ffff_0000_0000L)) + 1;
        add(bars, backend, PciBar.ROM_INDEX, PciBar.Type.MMIO32, false, romSize);
        return bars;
    }

    /** Writes all-ones to a BAR register, reads the mask back and restores the register. */
    private static int sizeMask(PhysicalConfig config, int offset) {
        int original = config.read32(offset);
        config.write32(offset, 0xffff_ffff);
        int mask = config.read32(offset);
        config.write32(offset, original);
        return mask;
    }

    private static void add(List<BarSpec> bars, PassthroughBackend backend, int index, PciBar.Type type,
                            boolean prefetchable, long size) {
        RegionInfo region = backend.region(index);
        if (size == 0 || region.size() == 0) {
            if (size != region.size()) {
                log.debug("{}: BAR {} left out: config space says size {}, VFIO region size {}", backend.name(), index,
                        size, region.size());
            }
            return;
        }
        if (Long.bitCount(size) != 1) {
            log.warn("{}: BAR {} probes to size 0x{}, not a power of two; using the region size", backend.name(),
                    index, Long.toHexString(size));
            size = Long.highestOneBit(region.size() - 1) << 1;
        }
        if (region.size() > size) {
            log.warn("{}: BAR {} probes to 0x{} bytes but VFIO's region has 0x{}; the guest sees the probed size",
                    backend.name(), index, Long.toHexString(size), Long.toHexString(region.size()));
        }
        bars.add(new BarSpec(index, type, prefetchable, size));
    }
}
