package io.jvmm.examples.debugcon;

import io.jvmm.config.TomlDeviceConfig;
import io.jvmm.testkit.DeviceConfigs;
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

    /** The table as jvmm's config reader hands it to the factory, paths resolving against {@link #dir}. */
    private TomlDeviceConfig config(Map<String, Object> values) {
        return DeviceConfigs.of("debugcon", "debugcon0", dir, values);
    }

    private static PlatformDevice create(DeviceConfig config) throws DeviceException {
        // debugcon needs nothing from the VM, so no context.
        return (PlatformDevice) new DebugconFactory().create(config, null);
    }

    @Test
    void guestWritesAreAppendedToTheFile() throws Exception {
        Path log = dir.resolve("debugcon.log");
        Files.writeString(log, "before\n");
        try (PlatformDevice dev = create(config(Map.of("path", "debugcon.log")))) {
            for (byte b : "hello\n".getBytes(StandardCharsets.US_ASCII)) {
                dev.write(0, new byte[] {b});
            }
        }
        assertThat(Files.readString(log)).isEqualTo("before\nhello\n");
    }

    @Test
    void onlyTheLowByteOfAWideWriteIsTheCharacter() throws Exception {
        Path log = dir.resolve("out.log");
        try (PlatformDevice dev = create(config(Map.of("path", "out.log")))) {
            dev.write(0, new byte[] {'A', 'B'});
        }
        assertThat(Files.readString(log)).isEqualTo("A");
    }

    @Test
    void readsReturnTheBochsDetectionValue() throws Exception {
        try (PlatformDevice dev = create(config(Map.of()))) {
            byte[] data = new byte[1];
            dev.read(0, data);
            assertThat(data[0] & 0xff).isEqualTo(0xE9);
        }
    }

    @Test
    void claimsOnePortDefault0xE9OrTheConfiguredOne() throws Exception {
        try (PlatformDevice dev = create(config(Map.of()))) {
            assertThat(dev.regions()).containsExactly(new BusRegion(BusRegion.AddressSpace.PIO, 0xE9, 1));
            assertThat(dev.id()).isEqualTo("debugcon0");
        }
        try (PlatformDevice dev = create(config(Map.of("port", 0x402L)))) {
            assertThat(dev.regions()).containsExactly(new BusRegion(BusRegion.AddressSpace.PIO, 0x402, 1));
        }
    }

    @Test
    void asksForEveryKeyItUnderstands() throws Exception {
        TomlDeviceConfig config = config(Map.of());
        try (Device dev = create(config)) {
            assertThat(config.knownKeys()).containsExactlyInAnyOrder("port", "path");
        }
    }

    @Test
    void rejectsAPortOutsideTheIoSpace() {
        assertThatThrownBy(() -> create(config(Map.of("port", 0x10000L))))
                .isInstanceOf(DeviceConfigException.class)
                .hasMessageContaining("port");
    }

    @Test
    void aFileThatCannotBeOpenedIsADeviceException() {
        assertThatThrownBy(() -> create(config(Map.of("path", "no/such/dir/x.log"))))
                .isInstanceOf(DeviceException.class)
                .hasMessageContaining("x.log");
    }

    @Test
    void isRegisteredAsAServiceProvider() {
        assertThat(ServiceLoader.load(DeviceFactory.class).stream().map(ServiceLoader.Provider::type))
                .contains(DebugconFactory.class);
    }
}
