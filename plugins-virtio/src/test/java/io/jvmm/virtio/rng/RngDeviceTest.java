package io.jvmm.virtio.rng;

import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceException;
import io.jvmm.spi.PciDevice;
import io.jvmm.config.TomlDeviceConfig;
import io.jvmm.testkit.DeviceConfigs;
import io.jvmm.testkit.ByteArrayGuestMemory;
import io.jvmm.testkit.DriverRing;
import io.jvmm.testkit.DriverRing.Buf;
import io.jvmm.testkit.ModernVirtioDriver;
import io.jvmm.testkit.TestBarAllocator;
import io.jvmm.testkit.TestDeviceContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.jvmm.testkit.ModernVirtioDriver.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** virtio-rng end to end: factory, a Linux-like driver, buffers filled from the source (virtio 1.2, 5.4). */
class RngDeviceTest {
    private static final long DATA = 0x10_0000;

    @TempDir
    Path dir;

    private final ByteArrayGuestMemory memory = new ByteArrayGuestMemory(0x40_0000);
    private final TestDeviceContext context = new TestDeviceContext("rng0", memory);

    /** The table as jvmm's config reader hands it to the factory. */
    private TomlDeviceConfig config(Map<String, Object> values) {
        return DeviceConfigs.of("virtio-rng", "rng0", dir, values);
    }

    private ModernVirtioDriver driverFor(Device device) {
        ModernVirtioDriver driver = new ModernVirtioDriver((PciDevice) device, context.recordingIoEvents(),
                new TestBarAllocator(), memory);
        driver.probe();
        return driver;
    }

    /** virtio_rng probe: one queue "input", MSI-X vector 1, config vector 0. */
    private DriverRing bringUp(ModernVirtioDriver driver, long ringBase) {
        assertThat(driver.negotiate(-1L)).isNotEqualTo(-1);
        driver.enableMsix();
        driver.setConfigVector(0);
        DriverRing ring = driver.setupQueue(0, 64, ringBase, 1);
        driver.enableQueue(0);
        driver.driverOk();
        return ring;
    }

    @Test
    void isAnEntropyFunctionWithOneQueueAndNoConfigSpace() throws Exception {
        try (Device device = new RngDeviceFactory().create(config(Map.of()), context)) {
            ModernVirtioDriver driver = driverFor(device);
            assertThat(driver.config(0x02, 2)).isEqualTo(0x1044);
            assertThat(driver.common(0x12, 2)).isEqualTo(1);
            assertThat(driver.caps).doesNotContainKey(DEVICE_CFG);
            assertThat(driver.deviceFeatures() & 0xff_ffffL).as("no device feature bits").isZero();
        }
    }

    @Test
    void readsOneMebibyteFromTheSourceInOrder() throws Exception {
        byte[] pattern = new byte[4096 + 17];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) (i * 31 + 7);
        }
        Path source = Files.write(dir.resolve("entropy"), pattern);
        try (Device device = new RngDeviceFactory().create(config(Map.of("source", source.toString())),
                context)) {
            ModernVirtioDriver driver = driverFor(device);
            DriverRing ring = bringUp(driver, 0x1000);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            int chunk = 64 * 1024 - 4;
            while (got.size() < 1 << 20) {
                // Like Linux's virtio-rng: one writable buffer per request, split over two descriptors here.
                int head = ring.add(List.of(new Buf(DATA, chunk / 2, true), new Buf(DATA + 0x8_0000, chunk / 2, true)));
                driver.kick(0);
                assertThat(context.vectors().get(1).awaitTrigger(5, TimeUnit.SECONDS)).isTrue();
                DriverRing.Used used = ring.pollUsed();
                assertThat(used.id()).isEqualTo(head);
                assertThat(used.length()).isEqualTo(chunk);
                byte[] a = new byte[chunk / 2];
                byte[] b = new byte[chunk / 2];
                memory.read(DATA, a);
                memory.read(DATA + 0x8_0000, b);
                got.write(a);
                got.write(b);
            }
            byte[] all = got.toByteArray();
            for (int i = 0; i < all.length; i++) {
                if (all[i] != pattern[i % pattern.length]) {
                    throw new AssertionError("byte " + i + " differs from the source");
                }
            }
        }
    }

    @Test
    void defaultsToDevUrandomAndWorksAgainAfterAReset() throws Exception {
        try (Device device = new RngDeviceFactory().create(config(Map.of()), context)) {
            ModernVirtioDriver driver = driverFor(device);
            for (int round = 0; round < 2; round++) {
                DriverRing ring = bringUp(driver, 0x1000 + 0x4000L * round);
                ring.add(List.of(new Buf(DATA, 4096, true)));
                driver.kick(0);
                assertThat(ring.awaitUsed(5000)).isEqualTo(new DriverRing.Used(0, 4096));
                driver.reset();
                assertThat(context.threads()).allSatisfy(t -> assertThat(t.isAlive()).isFalse());
            }
        }
    }

    @Test
    void aMissingSourceIsAClearError() {
        TomlDeviceConfig config = config(Map.of("source", dir.resolve("nope").toString()));
        assertThatThrownBy(() -> new RngDeviceFactory().create(config, context))
                .isInstanceOf(DeviceException.class)
                .hasMessageContaining("virtio-rng: cannot open the entropy source")
                .hasMessageContaining("nope");
    }

    @Test
    void asksOnlyForTheSourceKey() throws Exception {
        TomlDeviceConfig config = config(Map.of());
        new RngDeviceFactory().create(config, context).close();
        assertThat(config.knownKeys()).containsExactly("source");
    }
}
