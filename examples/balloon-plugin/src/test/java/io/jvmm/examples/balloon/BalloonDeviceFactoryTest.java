package io.jvmm.examples.balloon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceCommands;
import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceConfigException;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.spi.PciDevice;
import io.jvmm.spi.SpiVersion;
import io.jvmm.testkit.ByteArrayGuestMemory;
import io.jvmm.testkit.TestDeviceContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What jvmm does with the plugin: find the factory by its service file, check the key, create. */
class BalloonDeviceFactoryTest {
    /** A device table with size values, as jvmm hands it over. */
    private record Table(Map<String, Long> sizes) implements DeviceConfig {
        public String type() { return "virtio-balloon"; }
        public String id() { return "balloon0"; }
        public Optional<String> string(String key) { return Optional.empty(); }
        public Optional<Long> integer(String key) { return Optional.empty(); }
        public Optional<Boolean> bool(String key) { return Optional.empty(); }
        public Optional<Long> size(String key) { return Optional.ofNullable(sizes.get(key)); }
        public Optional<Path> path(String key) { return Optional.empty(); }
        public Set<String> keys() { return sizes.keySet(); }
        public String location() { return "vm.toml"; }
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
        try (Device device = new BalloonDeviceFactory().create(new Table(Map.of("target", 2L << 20)), context)) {
            assertEquals(0x1045_1af4, ((PciDevice) device).readConfigRegister(0));
            assertEquals("target 2 MiB (512 pages), the guest reports 0 MiB (0 pages), pages in the balloon 0 "
                            + "(0 MiB; given 0, taken back 0); host memory is not released",
                    ((DeviceCommands) device).commands().get(1).action().run(java.util.List.of()));
        }
    }

    @Test
    void aTargetLargerThanGuestRamIsRefusedNamingTheKey() {
        DeviceConfigException e = assertThrows(DeviceConfigException.class,
                () -> new BalloonDeviceFactory().create(new Table(Map.of("target", 17L << 20)), context));
        assertEquals("target", e.key());
    }
}
