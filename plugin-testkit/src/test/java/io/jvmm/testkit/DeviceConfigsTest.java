package io.jvmm.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.config.TomlDeviceConfig;
import io.jvmm.spi.DeviceConfigException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A plugin test gets what jvmm's reader makes of the table, not a look-alike's idea of it. */
class DeviceConfigsTest {
    private static final Path DIR = Path.of("/vms/demo");

    @Test
    void valuesAreConvertedAsJvmmConvertsThem() {
        TomlDeviceConfig c = DeviceConfigs.parse(DIR, """
                type = "debugcon"
                port = "0xE9"
                size = "64M"
                path = "out/debug.log"
                on = true
                """);
        assertThat(c.type()).isEqualTo("debugcon");
        assertThat(c.id()).isEqualTo("debugcon0");
        assertThat(c.integer("port")).contains(0xE9L);
        assertThat(c.size("size")).contains(64L << 20);
        assertThat(c.path("path")).contains(Path.of("/vms/demo/out/debug.log"));
        assertThat(c.bool("on")).contains(true);
    }

    @Test
    void aKeyTheFactoryNeverAskedForIsReportedAsJvmmWould() {
        TomlDeviceConfig c = DeviceConfigs.parse(DIR, "type = \"virtio-blk\"\npth = \"disk.img\"\n");
        c.string("path");
        assertThat(c.unusedKeys()).containsExactly("pth");
        assertThat(c.unusedKeyErrors()).singleElement().asString()
                .isEqualTo("/vms/demo/test.toml:3: device[1] (virtio-blk): unknown key 'pth' (known: path)");
    }

    @Test
    void aValueOfTheWrongTypeThrowsTheSpisExceptionNamingTheKey() {
        TomlDeviceConfig c = DeviceConfigs.of("virtio-blk", "vda", DIR, Map.of("readonly", "yes"));
        assertThatThrownBy(() -> c.bool("readonly")).isInstanceOf(DeviceConfigException.class)
                .hasMessageContaining("readonly");
    }

    @Test
    void ofWritesValuesThatReadBackUnchanged() {
        String awkward = "a \"quoted\" \\ back\\slash";
        TomlDeviceConfig c = DeviceConfigs.of("t", "t1", DIR,
                Map.of("s", awkward, "n", -5L, "b", false, "list", List.of(1L, 2L)));
        assertThat(c.id()).isEqualTo("t1");
        assertThat(c.string("s")).contains(awkward);
        assertThat(c.integer("n")).contains(-5L);
        assertThat(c.bool("b")).contains(false);
        assertThat(c.keys()).contains("list");
        // jvmm refuses control characters in values, so the kit does too.
        assertThatThrownBy(() -> DeviceConfigs.of("t", "t1", DIR, Map.of("s", "bell\u0007")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("control character");
    }

    @Test
    void textJvmmWouldRefuseIsRefusedWithJvmmsMessage() {
        assertThatThrownBy(() -> DeviceConfigs.parse(DIR, "type = \"x\"\nmemory = 512M\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("test.toml:3").hasMessageContaining("invalid TOML");
        assertThatThrownBy(() -> DeviceConfigs.parse(DIR, "port = 1\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("type");
    }
}
