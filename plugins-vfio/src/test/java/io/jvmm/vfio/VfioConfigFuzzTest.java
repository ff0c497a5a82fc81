package io.jvmm.vfio;

import io.jvmm.testkit.TestBarAllocator;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jvmm.spi.PciBar;
import io.jvmm.spi.PciDevice;
import io.jvmm.spi.RamRegion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * VFIO config-space virtualisation under a hostile guest, over the NVMe-like {@link FakeBackend}:
 * config reads and writes of any width at any register (BARs and their sizing, the ROM BAR,
 * command, the MSI and MSI-X capabilities, the extended space), BAR moves as the PCI root makes
 * them, and BAR reads and writes, which reach the MSI-X table and PBA the VMM traps. Every access
 * is answered or dropped; an exception is a bug.
 */
class VfioConfigFuzzTest {
    private static final int[] WIDTHS = {1, 2, 4};
    private static final List<RamRegion> RAM = List.of(new RamRegion(0, 0x8000_0000L, 0x7f00_0000_0000L));

    @FuzzTest
    void accesses(FuzzedDataProvider data) {
        FakeVmm vmm = new FakeVmm();
        VfioPciDevice vfio = VfioPciDevice.create("vfio0", FakeBackend.nvmeLike(), vmm.interrupts, vmm.mapper, RAM);
        try {
            List<PciBar> bars = new ArrayList<>(vfio.allocateBars(new TestBarAllocator()));
            for (int step = 0; step < 256 && data.remainingBytes() > 0; step++) {
                int width = data.pickValue(WIDTHS);
                switch (data.consumeInt(0, 3)) {
                    case 0 -> vfio.readConfigRegister(data.consumeInt(0, 1023));
                    case 1 -> writeConfig(data, vfio, bars, width);
                    case 2, 3 -> {
                        if (bars.isEmpty()) {
                            continue;
                        }
                        PciBar bar = data.pickValue(bars);
                        long offset = data.consumeLong(0, bar.size() - width);
                        if (data.consumeBoolean()) {
                            vfio.readBar(bar, offset, new byte[width]);
                        } else {
                            vfio.writeBar(bar, offset, bytes(data, width));
                        }
                    }
                    default -> throw new AssertionError();
                }
            }
        } finally {
            vfio.close();
        }
    }

    /** A config write; a BAR it moves is moved the way the PCI root does it (range first, then the device). */
    private static void writeConfig(FuzzedDataProvider data, VfioPciDevice vfio, List<PciBar> bars, int width) {
        int reg = data.consumeInt(0, 1023);
        int offset = data.consumeInt(0, 4 - width) & -width;
        PciDevice.BarReprogram moved = vfio.writeConfigRegister(reg, offset, bytes(data, width));
        if (moved != null) {
            PciBar old = moved.bar();
            vfio.moveBar(old.address(), moved.newAddress());
            bars.removeIf(b -> b.index() == old.index());
            bars.add(new PciBar(old.index(), moved.newAddress(), old.size(), old.type(), old.prefetchable()));
        }
    }

    private static byte[] bytes(FuzzedDataProvider data, int width) {
        byte[] b = data.consumeBytes(width);
        return b.length == width ? b : Arrays.copyOf(b, width);
    }
}
