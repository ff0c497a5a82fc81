package io.jvmm.devices.legacy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jvmm.spi.BusRegion;
import io.jvmm.spi.ComponentState;
import io.jvmm.spi.PlatformDevice;
import io.jvmm.spi.Snapshottable;
import io.jvmm.spi.Snapshottable.StateException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The legacy PC devices under a hostile guest and hostile snapshot state: port reads and writes
 * of any width at any port of the 8250 UART, the i8042, the CMOS RTC, the ACPI PM block and the
 * reset register, interleaved with host input, the power button, and restores of state whose
 * payload the input rewrote. A state a device refuses is a {@link StateException}; a state it
 * takes must not make a later guest access fail (issue 13: a huge RTC offset did). Any other
 * exception is a bug.
 */
class LegacyDevicesFuzzTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-03-05T21:07:09Z"), ZoneOffset.UTC);
    private static final int[] WIDTHS = {1, 2, 4};

    @FuzzTest
    void accesses(FuzzedDataProvider data) {
        Serial8250 serial = new Serial8250("serial0", 0x3f8, new RecordingIrqLine(4), OutputStream.nullOutputStream(),
                Duration.ZERO);
        AcpiPmDevice pm = new AcpiPmDevice(() -> { }, new RecordingIrqLine(9));
        List<PlatformDevice> devices = List.of(serial, new I8042(new RecordingIrqLine(1), () -> { }),
                new CmosRtc(3L << 30, 1L << 30, CLOCK), pm, new ResetControl(() -> { }));
        try {
            for (int step = 0; step < 512 && data.remainingBytes() > 0; step++) {
                PlatformDevice device = data.pickValue(devices);
                switch (data.consumeInt(0, 5)) {
                    case 0, 1 -> access(data, device, true);
                    case 2 -> access(data, device, false);
                    case 3 -> restore(data, device);
                    case 4 -> serial.enqueueInput(data.consumeBytes(32));
                    default -> pm.pressPowerButton();
                }
            }
        } finally {
            devices.forEach(PlatformDevice::close);
        }
    }

    /** One access inside one of the device's regions; offsets count from its first region. */
    private static void access(FuzzedDataProvider data, PlatformDevice device, boolean read) {
        List<BusRegion> regions = device.regions();
        BusRegion region = data.pickValue(regions);
        int width = (int) Math.min(data.pickValue(WIDTHS), region.length());
        long at = region.base() + data.consumeLong(0, region.length() - width);
        long offset = at - regions.get(0).base();
        if (read) {
            device.read(offset, new byte[width]);
        } else {
            device.write(offset, pad(data.consumeBytes(width), width));
        }
    }

    private static byte[] pad(byte[] bytes, int width) {
        return bytes.length == width ? bytes : java.util.Arrays.copyOf(bytes, width);
    }

    /** The device's own state with its payload (or version) rewritten by the input. */
    private static void restore(FuzzedDataProvider data, PlatformDevice device) {
        Snapshottable s = (Snapshottable) device;
        ComponentState saved = s.saveState();
        byte[] payload = saved.payload().clone();
        if (payload.length > 0) {
            for (int i = data.consumeInt(0, 4); i > 0; i--) {
                payload[data.consumeInt(0, payload.length - 1)] = data.consumeByte();
            }
        }
        if (data.consumeBoolean()) {
            payload = data.consumeBytes(64);
        }
        int version = data.consumeBoolean() ? saved.version() : data.consumeInt();
        try {
            s.restoreState(new ComponentState(saved.id(), version, payload));
        } catch (StateException refused) {
            // a state this jvmm does not take
        }
    }
}
