package io.jvmm.virtio.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.spi.DeviceConfigException;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.config.TomlDeviceConfig;
import io.jvmm.testkit.DeviceConfigs;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ConsoleConfigTest {
    private static TomlDeviceConfig config(Map<String, Object> values) {
        return DeviceConfigs.of("virtio-console", "con0", Path.of("/tmp"), values);
    }

    @Test
    void readsEveryKeyItKnowsAndDefaultsToStdio() {
        TomlDeviceConfig c = config(Map.of());
        ConsoleConfig cc = ConsoleConfig.from(c);
        assertThat(c.knownKeys()).containsExactlyInAnyOrder("output", "path", "cols", "rows");
        assertThat(cc.output()).isEqualTo(ConsoleConfig.Output.STDIO);
        assertThat(cc.size()).isEmpty();
    }

    @Test
    void fileAndSocketNeedAPath() {
        assertThat(ConsoleConfig.from(config(Map.of("output", "file", "path", "hvc0.log"))).path())
                .contains(Path.of("/tmp/hvc0.log"));
        assertThatThrownBy(() -> ConsoleConfig.from(config(Map.of("output", "socket"))))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("'path'").hasMessageContaining("socket");
        assertThatThrownBy(() -> ConsoleConfig.from(config(Map.of("path", "x"))))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("'path'").hasMessageContaining("stdio");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> ConsoleConfig.from(config(Map.of("output", "pty"))))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("'output'");
        assertThatThrownBy(() -> ConsoleConfig.from(config(Map.of("cols", 80L))))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("'rows'");
        assertThatThrownBy(() -> ConsoleConfig.from(config(Map.of("cols", 0L, "rows", 25L))))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("'cols'");
        assertThat(ConsoleConfig.from(config(Map.of("cols", 132L, "rows", 43L))).size())
                .contains(new ConsoleSize(132, 43));
    }

    @Test
    void isRegisteredAsAServiceProvider() {
        assertThat(ServiceLoader.load(DeviceFactory.class).stream().map(ServiceLoader.Provider::type))
                .contains(ConsoleFactory.class);
    }
}
