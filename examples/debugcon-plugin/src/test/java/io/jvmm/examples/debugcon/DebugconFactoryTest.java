package io.jvmm.examples.debugcon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.spi.BusRegion;
import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceConfigException;
import io.jvmm.spi.DeviceException;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.spi.PlatformDevice;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebugconFactoryTest {
    @TempDir
    Path dir;

    /** A DeviceConfig over a map, resolving paths against {@link #dir}, as the VMM's does. */
    private final class MapConfig implements DeviceConfig {
        private final Map<String, Object> values;
        final Set<String> asked = new HashSet<>();

        MapConfig(Map<String, Object> values) {
            this.values = values;
        }

        @Override
        public String type() {
            return "debugcon";
        }

        @Override
        public String id() {
            return "debugcon0";
        }

        private <T> Optional<T> get(String key, Class<T> type) {
            asked.add(key);
            Object v = values.get(key);
            if (v != null && !type.isInstance(v)) {
                throw new DeviceConfigException(key, "has the wrong type");
            }
            return Optional.ofNullable(type.cast(v));
        }

        @Override
        public Optional<String> string(String key) {
            return get(key, String.class);
        }

        @Override
        public Optional<Long> integer(String key) {
            return get(key, Long.class);
        }

        @Override
        public Optional<Boolean> bool(String key) {
            return get(key, Boolean.class);
        }

        @Override
        public Optional<Long> size(String key) {
            return get(key, Long.class);
        }

        @Override
        public Optional<Path> path(String key) {
            return get(key, String.class).map(dir::resolve);
        }

        @Override
        public Set<String> keys() {
            return values.keySet();
        }

        @Override
        public String location() {
            return "test";
        }
    }

    private static PlatformDevice create(DeviceConfig config) throws DeviceException {
        // debugcon needs nothing from the VM, so no context.
        return (PlatformDevice) new DebugconFactory().create(config, null);
    }

    @Test
    void guestWritesAreAppendedToTheFile() throws Exception {
        Path log = dir.resolve("debugcon.log");
        Files.writeString(log, "before\n");
        try (PlatformDevice dev = create(new MapConfig(Map.of("path", "debugcon.log")))) {
            for (byte b : "hello\n".getBytes(StandardCharsets.US_ASCII)) {
                dev.write(0, new byte[] {b});
            }
        }
        assertThat(Files.readString(log)).isEqualTo("before\nhello\n");
    }

    @Test
    void onlyTheLowByteOfAWideWriteIsTheCharacter() throws Exception {
        Path log = dir.resolve("out.log");
        try (PlatformDevice dev = create(new MapConfig(Map.of("path", "out.log")))) {
            dev.write(0, new byte[] {'A', 'B'});
        }
        assertThat(Files.readString(log)).isEqualTo("A");
    }

    @Test
    void readsReturnTheBochsDetectionValue() throws Exception {
        try (PlatformDevice dev = create(new MapConfig(Map.of()))) {
            byte[] data = new byte[1];
            dev.read(0, data);
            assertThat(data[0] & 0xff).isEqualTo(0xE9);
        }
    }

    @Test
    void claimsOnePortDefault0xE9OrTheConfiguredOne() throws Exception {
        try (PlatformDevice dev = create(new MapConfig(Map.of()))) {
            assertThat(dev.regions()).containsExactly(new BusRegion(BusRegion.AddressSpace.PIO, 0xE9, 1));
            assertThat(dev.id()).isEqualTo("debugcon0");
        }
        try (PlatformDevice dev = create(new MapConfig(Map.of("port", 0x402L)))) {
            assertThat(dev.regions()).containsExactly(new BusRegion(BusRegion.AddressSpace.PIO, 0x402, 1));
        }
    }

    @Test
    void asksForEveryKeyItUnderstands() throws Exception {
        MapConfig config = new MapConfig(Map.of());
        try (Device dev = create(config)) {
            assertThat(config.asked).containsExactlyInAnyOrder("port", "path");
        }
    }

    @Test
    void rejectsAPortOutsideTheIoSpace() {
        assertThatThrownBy(() -> create(new MapConfig(Map.of("port", 0x10000L))))
                .isInstanceOf(DeviceConfigException.class)
                .hasMessageContaining("port");
    }

    @Test
    void aFileThatCannotBeOpenedIsADeviceException() {
        assertThatThrownBy(() -> create(new MapConfig(Map.of("path", "no/such/dir/x.log"))))
                .isInstanceOf(DeviceException.class)
                .hasMessageContaining("x.log");
    }

    @Test
    void isRegisteredAsAServiceProvider() {
        assertThat(ServiceLoader.load(DeviceFactory.class).stream().map(ServiceLoader.Provider::type))
                .contains(DebugconFactory.class);
    }
}
