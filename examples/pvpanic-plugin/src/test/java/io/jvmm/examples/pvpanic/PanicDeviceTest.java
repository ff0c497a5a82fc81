package io.jvmm.examples.pvpanic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jvmm.spi.PciBar;
import io.jvmm.testkit.TestBarAllocator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The device as a guest's PCI code and the pvpanic driver see it. */
class PanicDeviceTest {
    private static byte[] le(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    @Test
    void theGuestFindsThePvpanicIdsAndSizesItsBar() {
        PanicDevice device = new PanicDevice("panic0", () -> { });
        List<PciBar> bars = device.allocateBars(new TestBarAllocator());
        assertEquals(0x0011_1b36, device.readConfigRegister(0));
        assertEquals(0xc000_0000, device.readConfigRegister(4));
        assertNull(device.writeConfigRegister(4, 0, le(0xffff_ffff)));
        assertEquals(0xffff_fff0, device.readConfigRegister(4)); // 16 bytes of 32-bit memory
        assertEquals(1, bars.size());
    }

    @Test
    void aPanicWrittenByTheGuestIsReported() {
        AtomicInteger panics = new AtomicInteger();
        PanicDevice device = new PanicDevice("panic0", panics::incrementAndGet);
        PciBar bar = device.allocateBars(new TestBarAllocator()).get(0);
        byte[] supported = new byte[1];
        device.readBar(bar, 0, supported);
        assertEquals(PanicDevice.PVPANIC_PANICKED | PanicDevice.PVPANIC_CRASH_LOADED, supported[0]);
        device.writeBar(bar, 0, new byte[] {PanicDevice.PVPANIC_PANICKED});
        assertEquals(1, panics.get());
        assertEquals(PanicDevice.PVPANIC_PANICKED, device.events());
    }
}
