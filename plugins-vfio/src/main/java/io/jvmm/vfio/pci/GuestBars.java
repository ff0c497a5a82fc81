package io.jvmm.vfio.pci;

import io.jvmm.spi.PciBar;
import io.jvmm.spi.PciBarAllocator;
import io.jvmm.spi.PciDevice;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The guest's view of the BAR and expansion-ROM registers. The device's own BARs stay where the
 * host put them; the guest sees addresses the VMM's allocator chose, can size them (a
 * write of all-ones reads back the size mask, PCI Local Bus 3.0, 6.2.5.1) and can move them.
 *
 * <p>What the guest last wrote is latched apart from where a BAR is placed: a move is reported
 * only when the latched address differs from the placement and no half of the BAR is in the
 * middle of sizing, so Linux's probe (all-ones, then the old value, low half then high half)
 * moves nothing, and a 64-bit BAR the guest reprograms half by half ends up where both halves
 * say even if an intermediate move failed.
 */
public final class GuestBars {
    private static final class Bar {
        final BarSpec spec;
        long latched;
        long placed;
        boolean sizingLow;
        boolean sizingHigh;
        boolean romEnabled;

        Bar(BarSpec spec, long address) {
            this.spec = spec;
            this.latched = address;
            this.placed = address;
        }

        PciBar placement() {
            return new PciBar(spec.index(), placed, spec.size(), spec.type(), spec.prefetchable());
        }

        long alignMask() {
            return ~(spec.size() - 1);
        }

        int lowAddressMask() {
            if (spec.isRom()) {
                return PciRegs.ROM_ADDRESS_MASK;
            }
            return spec.type() == PciBar.Type.IO ? 0xffff_fffc : 0xffff_fff0;
        }
    }

    /** Index 0-5 and 6 (ROM) to the BAR; the upper register of a 64-bit BAR maps to the same BAR. */
    private final Bar[] byRegister = new Bar[PciRegs.ROM_REG + 1];
    private final List<Bar> bars = new ArrayList<>();

    /** Gives each BAR guest space from {@code allocator}; returns the placements for the VMM's buses. */
    public synchronized List<PciBar> place(List<BarSpec> specs, PciBarAllocator allocator) {
        if (!bars.isEmpty()) {
            throw new IllegalStateException("BARs are already placed");
        }
        List<PciBar> placed = new ArrayList<>();
        for (BarSpec spec : specs) {
            long address = allocator.allocate(spec.type(), spec.size());
            Bar bar = new Bar(spec, address);
            bars.add(bar);
            if (spec.isRom()) {
                byRegister[PciRegs.ROM_REG] = bar;
            } else {
                byRegister[PciRegs.BAR0_REG + spec.index()] = bar;
                if (spec.type() == PciBar.Type.MMIO64) {
                    byRegister[PciRegs.BAR0_REG + spec.index() + 1] = bar;
                }
            }
            placed.add(bar.placement());
        }
        return placed;
    }

    /** True for the BAR and ROM registers, which this class answers. */
    public static boolean isBarRegister(int reg) {
        return (reg >= PciRegs.BAR0_REG && reg < PciRegs.BAR0_REG + PciRegs.BAR_COUNT) || reg == PciRegs.ROM_REG;
    }

    /** The value of BAR register {@code reg}; 0 for a BAR the device does not have. */
    public synchronized int read(int reg) {
        Bar bar = reg >= 0 && reg < byRegister.length ? byRegister[reg] : null;
        if (bar == null) {
            return 0;
        }
        if (isHighHalf(bar, reg)) {
            return (int) ((bar.sizingHigh ? bar.alignMask() : bar.latched) >>> 32);
        }
        long address = bar.sizingLow ? bar.alignMask() : bar.latched;
        int value = (int) address & bar.lowAddressMask();
        return bar.spec.isRom() ? value | (bar.romEnabled ? PciRegs.ROM_ENABLE : 0) : value | bar.spec.flagBits();
    }

    /**
     * A guest write of {@code data} at byte {@code offset} of BAR register {@code reg}.
     *
     * @return the move the VMM must make, or null
     */
    public synchronized PciDevice.BarReprogram write(int reg, int offset, byte[] data) {
        Bar bar = reg >= 0 && reg < byRegister.length ? byRegister[reg] : null;
        if (bar == null || offset < 0 || offset + data.length > 4) {
            return null;
        }
        int value = read(reg);
        for (int i = 0; i < data.length; i++) {
            int shift = 8 * (offset + i);
            value = value & ~(0xff << shift) | (data[i] & 0xff) << shift;
        }
        boolean wholeRegister = data.length == 4;
        int addressMask = isHighHalf(bar, reg) ? 0xffff_ffff : bar.lowAddressMask();
        boolean sizing = wholeRegister && (value & addressMask) == addressMask;
        if (isHighHalf(bar, reg)) {
            bar.sizingHigh = sizing;
            if (!sizing) {
                bar.latched = (long) value << 32 | (bar.latched & 0xffff_ffffL);
            }
        } else {
            bar.sizingLow = sizing;
            if (bar.spec.isRom()) {
                bar.romEnabled = (value & PciRegs.ROM_ENABLE) != 0;
            }
            if (!sizing) {
                bar.latched = (bar.latched & 0xffff_ffff_0000_0000L) | (value & addressMask & 0xffff_ffffL);
            }
        }
        bar.latched &= bar.alignMask();
        if (bar.sizingLow || bar.sizingHigh || bar.latched == bar.placed) {
            return null;
        }
        return new PciDevice.BarReprogram(bar.placement(), bar.latched);
    }

    private static boolean isHighHalf(Bar bar, int reg) {
        return !bar.spec.isRom() && bar.spec.type() == PciBar.Type.MMIO64 && reg == PciRegs.BAR0_REG + bar.spec.index() + 1;
    }

    /**
     * The VMM moved the BAR placed at {@code oldBase} to {@code newBase}.
     *
     * @return the BAR as placed now, or empty when none was at {@code oldBase}
     */
    public synchronized Optional<PciBar> moved(long oldBase, long newBase) {
        for (Bar bar : bars) {
            if (bar.placed == oldBase) {
                bar.placed = newBase;
                return Optional.of(bar.placement());
            }
        }
        return Optional.empty();
    }

    /** Where BAR {@code index} is placed now. */
    public synchronized Optional<PciBar> placement(int index) {
        return bars.stream().filter(b -> b.spec.index() == index).findFirst().map(Bar::placement);
    }

    public synchronized List<PciBar> placements() {
        return bars.stream().map(Bar::placement).toList();
    }
}
