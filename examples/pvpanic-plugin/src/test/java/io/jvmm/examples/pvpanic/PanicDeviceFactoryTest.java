package io.jvmm.examples.pvpanic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceConfigException;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.spi.SpiVersion;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What jvmm does with the plugin: find the factory by its service file, check keys, create. */
class PanicDeviceFactoryTest {
    /** A device table with string values, as jvmm hands it over. */
    private record Table(Map<String, String> values) implements DeviceConfig {
        public String type() { return "pvpanic"; }
        public String id() { return "panic0"; }
        public Optional<String> string(String key) { return Optional.ofNullable(values.get(key)); }
        public Optional<Long> integer(String key) { return Optional.empty(); }
        public Optional<Boolean> bool(String key) { return Optional.empty(); }
        public Optional<Long> size(String key) { return Optional.empty(); }
        public Optional<Path> path(String key) { return Optional.empty(); }
        public Set<String> keys() { return values.keySet(); }
        public String location() { return "vm.toml"; }
    }

    @Test
    void theServiceFileNamesTheFactoryForItsType() {
        DeviceFactory factory = ServiceLoader.load(DeviceFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.type().equals("pvpanic")).findFirst().orElseThrow();
        assertTrue(factory instanceof PanicDeviceFactory);
        assertEquals(SpiVersion.CURRENT, factory.spiVersion());
    }

    @Test
    void createsTheDeviceAndRefusesABadValueNamingTheKey() {
        PanicDeviceFactory factory = new PanicDeviceFactory();
        assertEquals("panic0", factory.create(new Table(Map.of("on-panic", "ignore")), null).id());
        DeviceConfigException e = assertThrows(DeviceConfigException.class,
                () -> factory.create(new Table(Map.of("on-panic", "reboot")), null));
        assertEquals("on-panic", e.key());
    }
}
