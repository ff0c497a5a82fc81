package io.jvmm.examples.balloon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceCommands;
import io.jvmm.spi.DeviceConfigException;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.spi.PciDevice;
import io.jvmm.spi.SpiVersion;
import io.jvmm.config.TomlDeviceConfig;
import io.jvmm.testkit.ByteArrayGuestMemory;
import io.jvmm.testkit.DeviceConfigs;
import io.jvmm.testkit.TestDeviceContext;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** What jvmm does with the plugin: find the factory by its service file, check the key, create. */
class BalloonDeviceFactoryTest {
    /** A [[device]] table read by jvmm's own config reader, as jvmm hands it over. */
    private static TomlDeviceConfig table(String target) {
        return DeviceConfigs.parse(Path.of("."), "type = \"virtio-balloon\"\ntarget = \"" + target + "\"\n");
    }

    private final TestDeviceContext context = new TestDeviceContext("balloon0", new ByteArrayGuestMemory(16 << 20));

    @Test
    void theServiceFileNamesTheFactoryForItsType() {
        DeviceFactory factory = ServiceLoader.load(DeviceFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.type().equals("virtio-balloon")).findFirst().orElseThrow();
        assertTrue(factory instanceof BalloonDeviceFactory);
        assertEquals(SpiVersion.CURRENT, factory.spiVersion());
    }

    @Test
    void createsAVirtioPciFunctionThatOffersTheBalloonsCommands() throws Exception {
        try (Device device = new BalloonDeviceFactory().create(table("2M"), context)) {
            assertEquals(0x1045_1af4, ((PciDevice) device).readConfigRegister(0));
            assertEquals("target 2 MiB (512 pages), the guest reports 0 MiB (0 pages), pages in the balloon 0 "
                            + "(0 MiB; given 0, taken back 0); host memory is not released",
                    ((DeviceCommands) device).commands().get(1).action().run(java.util.List.of()));
        }
    }

    @Test
    void everyKeyInTheTableIsOneTheFactoryReads() throws Exception {
        TomlDeviceConfig config = table("1M");
        new BalloonDeviceFactory().create(config, context).close();
        assertTrue(config.unusedKeys().isEmpty(), "keys jvmm would reject as unknown: " + config.unusedKeys());
    }

    @Test
    void aTargetLargerThanGuestRamIsRefusedNamingTheKey() {
        DeviceConfigException e = assertThrows(DeviceConfigException.class,
                () -> new BalloonDeviceFactory().create(table("17M"), context));
        assertEquals("target", e.key());
    }
}
