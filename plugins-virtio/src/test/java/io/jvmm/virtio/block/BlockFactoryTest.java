package io.jvmm.virtio.block;

import io.jvmm.config.TomlDeviceConfig;
import io.jvmm.testkit.DeviceConfigs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceConfigException;
import io.jvmm.spi.DeviceException;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.testkit.TestDeviceContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockFactoryTest {
    @TempDir
    Path dir;

    private final TestDeviceContext context = new TestDeviceContext("disk0", new TestMemory(1 << 20));

    private TomlDeviceConfig config(Map<String, Object> values) {
        return DeviceConfigs.of("virtio-blk", "disk0", dir, values);
    }

    private Path image(long bytes) throws Exception {
        Path p = dir.resolve("disk.img");
        try (var f = new java.io.RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(bytes);
        }
        return p;
    }

    @Test
    void asksForEveryKeyItUnderstands() throws Exception {
        image(1 << 20);
        TomlDeviceConfig c = config(Map.of("path", "disk.img"));
        try (Device d = new BlockFactory().create(c, context)) {
            assertThat(d.id()).isEqualTo("disk0");
        }
        assertThat(c.knownKeys()).containsExactlyInAnyOrder("path", "readonly", "serial", "queues", "direct");
    }

    @Test
    void aMissingImageSaysToCreateIt() {
        assertThatThrownBy(() -> new BlockFactory().create(config(Map.of("path", "nope.img")), context))
                .isInstanceOf(DeviceException.class)
                .hasMessageContaining("nope.img").hasMessageContaining("does not exist").hasMessageContaining("truncate");
    }

    @Test
    void aDirectoryIsRefused() throws Exception {
        Files.createDirectory(dir.resolve("d"));
        assertThatThrownBy(() -> new BlockFactory().create(config(Map.of("path", "d")), context))
                .isInstanceOf(DeviceException.class).hasMessageContaining("is a directory");
    }

    @Test
    void anImageJvmmCannotWriteNeedsReadonly() throws Exception {
        Path p = image(1 << 20);
        // Root ignores mode bits; the immutable attribute stops even root from opening for writing.
        Process chattr = new ProcessBuilder("chattr", "+i", p.toString()).redirectErrorStream(true).start();
        assumeTrue(chattr.waitFor() == 0, "chattr +i not available here");
        try {
            assertThatThrownBy(() -> new BlockFactory().create(config(Map.of("path", "disk.img")), context))
                    .isInstanceOf(DeviceException.class)
                    .hasMessageContaining("readonly = true");
            try (Device d = new BlockFactory().create(config(Map.of("path", "disk.img", "readonly", true)), context)) {
                assertThat(d).isNotNull();
            }
        } finally {
            new ProcessBuilder("chattr", "-i", p.toString()).start().waitFor();
        }
    }

    @Test
    void aSecondWriterOfTheSameImageIsRefused() throws Exception {
        Path p = image(1 << 20);
        try (DiskImage first = DiskImage.open(p, false, false)) {
            assertThatThrownBy(() -> new BlockFactory().create(config(Map.of("path", "disk.img")), context))
                    .isInstanceOf(DeviceException.class).hasMessageContaining("in use");
            assertThatThrownBy(() -> DiskImage.open(p, true, false)).isInstanceOf(DeviceException.class);
        }
        // Two read-only users may share it.
        try (DiskImage a = DiskImage.open(p, true, false); DiskImage b = DiskImage.open(p, true, false)) {
            assertThat(a.size()).isEqualTo(b.size());
        }
    }

    @Test
    void badValuesNameTheirKey() throws Exception {
        image(1 << 20);
        assertThatThrownBy(() -> new BlockFactory().create(config(Map.of("path", "disk.img", "queues", 0L)), context))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("queues");
        assertThatThrownBy(() -> new BlockFactory().create(config(Map.of("path", "disk.img", "queues", 17L)), context))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("queues");
        assertThatThrownBy(() -> new BlockFactory().create(
                config(Map.of("path", "disk.img", "serial", "123456789012345678901")), context))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("serial").hasMessageContaining("20");
        assertThatThrownBy(() -> new BlockFactory().create(config(Map.of()), context))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("path");
    }

    @Test
    void offersFeaturesFromTheSettings() throws Exception {
        image(3 << 20);
        Map<String, Object> rw = new HashMap<>(Map.of("path", "disk.img"));
        try (DiskImage img = DiskImage.open(dir.resolve("disk.img"), false, false)) {
            VirtioBlock b = new VirtioBlock("disk0", img, BlockConfig.from(config(rw)));
            long f = b.deviceFeatures();
            assertThat(f & bit(VirtioBlock.F_RO)).isZero();
            assertThat(f & bit(VirtioBlock.F_MQ)).isZero();
            assertThat(f & (bit(VirtioBlock.F_FLUSH) | bit(VirtioBlock.F_DISCARD) | bit(VirtioBlock.F_WRITE_ZEROES)
                    | bit(VirtioBlock.F_SEG_MAX) | bit(VirtioBlock.F_SIZE_MAX) | bit(VirtioBlock.F_BLK_SIZE)))
                    .isEqualTo(bit(VirtioBlock.F_FLUSH) | bit(VirtioBlock.F_DISCARD) | bit(VirtioBlock.F_WRITE_ZEROES)
                            | bit(VirtioBlock.F_SEG_MAX) | bit(VirtioBlock.F_SIZE_MAX) | bit(VirtioBlock.F_BLK_SIZE));
            assertThat(b.queueCount()).isEqualTo(1);
        }
        try (DiskImage img = DiskImage.open(dir.resolve("disk.img"), true, false)) {
            VirtioBlock b = new VirtioBlock("disk0", img,
                    BlockConfig.from(config(Map.of("path", "disk.img", "readonly", true, "queues", 4L))));
            long f = b.deviceFeatures();
            assertThat(f & bit(VirtioBlock.F_RO)).isNotZero();
            assertThat(f & bit(VirtioBlock.F_MQ)).isNotZero();
            assertThat(f & (bit(VirtioBlock.F_DISCARD) | bit(VirtioBlock.F_WRITE_ZEROES))).isZero();
            assertThat(b.queueCount()).isEqualTo(4);
        }
    }

    @Test
    void configSpaceHasTheCapacityInSectorsAndTheLimits() throws Exception {
        image(3 << 20);
        try (DiskImage img = DiskImage.open(dir.resolve("disk.img"), false, false)) {
            VirtioBlock b = new VirtioBlock("disk0", img,
                    BlockConfig.from(config(Map.of("path", "disk.img", "queues", 2L))));
            byte[] space = new byte[b.configSize()];
            for (int i = 0; i < space.length; i += 4) {
                byte[] word = new byte[4];
                b.readConfig(i, word);
                System.arraycopy(word, 0, space, i, 4);
            }
            ByteBuffer c = ByteBuffer.wrap(space).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(c.getLong(0)).isEqualTo((3 << 20) / 512);
            assertThat(c.getInt(8)).isEqualTo(VirtioBlock.SIZE_MAX);
            assertThat(c.getInt(12)).isEqualTo(VirtioBlock.QUEUE_SIZE - 2);
            assertThat(c.getInt(20)).isEqualTo(512);
            assertThat(c.getShort(34)).isEqualTo((short) 2);
            assertThat(c.getInt(40)).isEqualTo(VirtioBlock.MAX_RANGES);
            assertThat(c.get(56)).isEqualTo((byte) 1);
        }
    }

    @Test
    void theDefaultSerialIsTheDeviceIdCutTo20Bytes() {
        BlockConfig c = BlockConfig.from(DeviceConfigs.of("virtio-blk", "a-very-long-device-id-indeed", dir,
                Map.of("path", "x")));
        assertThat(new String(c.serial())).isEqualTo("a-very-long-device-i");
    }

    @Test
    void isRegisteredAsAServiceProvider() {
        assertThat(ServiceLoader.load(DeviceFactory.class).stream().map(ServiceLoader.Provider::type))
                .contains(BlockFactory.class);
    }

    private static long bit(int n) {
        return 1L << n;
    }
}
