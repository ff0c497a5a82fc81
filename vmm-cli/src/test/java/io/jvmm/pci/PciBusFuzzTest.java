package io.jvmm.pci;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jvmm.spi.ComponentState;
import io.jvmm.spi.Snapshottable.StateException;

/**
 * PCI configuration access under a hostile guest: any sequence of port I/O to CONFIG_ADDRESS /
 * CONFIG_DATA (mechanism #1, PCI Local Bus 3.0, 3.2.2.3.2) and of ECAM reads and writes (PCIe
 * 4.0, 7.2.2), of any width and alignment, reaching the host bridge, two functions and every
 * absent bus, device, function and register; plus restores of
 * CONFIG_ADDRESS from a rewritten payload. Every access is answered (all ones when nothing is
 * there) or dropped; only a refused state may throw ({@link StateException}).
 */
class PciBusFuzzTest {
    private static final int[] WIDTHS = {1, 2, 4};

    @FuzzTest
    void accesses(FuzzedDataProvider data) {
        PciRoot root = new PciRoot((device, bar, address) -> device.moveBar(bar.address(), address));
        FakePciDevice a = new FakePciDevice("a");
        FakePciDevice b = new FakePciDevice("b");
        root.addDevice(a);
        root.addDevice(b);
        PciConfigIo io = new PciConfigIo(root);
        PciEcam ecam = new PciEcam(root);
        for (int step = 0; step < 512 && data.remainingBytes() > 0; step++) {
            int width = data.pickValue(WIDTHS);
            switch (data.consumeInt(0, 4)) {
                case 0 -> io.read(data.consumeInt(0, 8 - width), new byte[width]);
                case 1 -> io.write(data.consumeInt(0, 8 - width), bytes(data, width));
                case 2 -> ecam.read(data.consumeLong(0, ecamSize(ecam) - width), new byte[width]);
                case 3 -> ecam.write(data.consumeLong(0, ecamSize(ecam) - width), bytes(data, width));
                default -> restore(data, io);
            }
        }
    }

    private static long ecamSize(PciEcam ecam) {
        return ecam.regions().get(0).length();
    }

    private static byte[] bytes(FuzzedDataProvider data, int width) {
        byte[] b = data.consumeBytes(width);
        return b.length == width ? b : java.util.Arrays.copyOf(b, width);
    }

    private static void restore(FuzzedDataProvider data, PciConfigIo io) {
        ComponentState saved = io.saveState();
        try {
            io.restoreState(new ComponentState(saved.id(),
                    data.consumeBoolean() ? saved.version() : data.consumeInt(), data.consumeBytes(16)));
        } catch (StateException refused) {
            // not a state this jvmm takes
        }
    }
}
