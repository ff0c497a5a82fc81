package io.jvmm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.spi.DeviceConfigException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TomlDeviceConfigTest {
    @TempDir
    Path tmp;
    Path demo;
    TomlDeviceConfig disk;
    TomlDeviceConfig debugcon;

    @BeforeEach
    void setUp() throws Exception {
        ConfigFiles files = new ConfigFiles(tmp);
        demo = tmp.resolve("demo.toml");
        VmConfig c = files.load(ConfigFiles.BOOT + """
                [[device]]
                type = "virtio-blk"
                id = "disk0"
                path = "images/disk.img"
                pth = "typo.img"
                readonly = true
                size = "1G"
                queues = 4
                [[device]]
                type = "debugcon"
                port = "0xE9"
                bytes = 4096
                name = 5
                """);
        disk = c.devices().get(0).config();
        debugcon = c.devices().get(1).config();
    }

    @Test
    void typedGettersConvertAndResolvePathsAgainstTheConfigDirectory() {
        assertThat(disk.type()).isEqualTo("virtio-blk");
        assertThat(disk.id()).isEqualTo("disk0");
        assertThat(disk.path("path")).contains(tmp.resolve("images/disk.img"));
        assertThat(disk.bool("readonly")).contains(true);
        assertThat(disk.size("size")).contains(1L << 30);
        assertThat(disk.integer("queues")).contains(4L);
        assertThat(disk.string("missing")).isEmpty();
        assertThat(debugcon.size("bytes")).contains(4096L);
    }

    @Test
    void integersMayBeWrittenInHexAsStrings() {
        assertThat(debugcon.integer("port")).contains(0xE9L);
    }

    @Test
    void wrongTypesThrowNamingKeyValueAndExpectedForm() {
        assertThatThrownBy(() -> debugcon.string("name"))
                .isInstanceOf(DeviceConfigException.class)
                .hasMessage("key 'name' = 5: expected a string in quotes");
        assertThatThrownBy(() -> disk.integer("path"))
                .hasMessage("key 'path' = \"images/disk.img\": expected an integer (e.g. 233 or \"0xE9\")");
        assertThatThrownBy(() -> disk.bool("queues")).hasMessage("key 'queues' = 4: expected true or false");
        assertThatThrownBy(() -> disk.size("readonly"))
                .hasMessage("key 'readonly' = true: expected a size like 512M, 2G or a number of bytes");
    }

    @Test
    void keysNeverAskedForAreReportedWithTheKnownOnes() {
        disk.path("path");
        disk.bool("readonly");
        disk.size("size");
        disk.integer("queues");
        disk.string("serial"); // asked for but absent: still a known key
        assertThat(disk.unusedKeys()).containsExactly("pth");
        assertThat(disk.unusedKeyErrors()).extracting(ConfigError::toString).containsExactly(
                demo + ":7: device[1] (virtio-blk): unknown key 'pth' (known: path, readonly, size, queues, serial)");
        assertThatThrownBy(disk::requireAllKeysUsed).isInstanceOf(ConfigException.class);
    }

    @Test
    void typeAndIdAreNeverUnused() {
        assertThat(debugcon.unusedKeys()).containsExactly("port", "bytes", "name");
        assertThat(debugcon.unusedKeyErrors().get(0).message())
                .isEqualTo("device[2] (debugcon): unknown key 'port' (this device takes no keys besides type and id)");
    }

    @Test
    void pluginErrorsArePlacedAtTheKeysLine() {
        DeviceConfigException e = new DeviceConfigException("port", "= 70000: expected an I/O port");
        assertThat(debugcon.error(e).toString())
                .isEqualTo(demo + ":13: device[2] (debugcon): key 'port' = 70000: expected an I/O port");
        assertThat(debugcon.error("cannot open the file").toString())
                .isEqualTo(demo + ":11: device[2] (debugcon): cannot open the file");
    }

    @Test
    void locationNamesFileTableAndLine() {
        assertThat(debugcon.location()).isEqualTo(demo + ", [[device]] #2 (line 11)");
        assertThat(disk.keys()).containsExactlyInAnyOrder("type", "id", "path", "pth", "readonly", "size", "queues");
    }
}
