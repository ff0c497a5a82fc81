package io.jvmm.virtio.block;

import io.jvmm.config.TomlDeviceConfig;
import io.jvmm.testkit.DeviceConfigs;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.spi.Device;
import io.jvmm.spi.PciDevice;
import io.jvmm.testkit.DriverRing;
import io.jvmm.testkit.DriverRing.Buf;
import io.jvmm.testkit.ModernVirtioDriver;
import io.jvmm.testkit.TestBarAllocator;
import io.jvmm.testkit.TestDeviceContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** virtio-blk through the real virtio-pci transport and split queue, driven the way Linux's virtio_blk does. */
class BlockEndToEndTest {
    private static final long HEADER = 0x20_0000;
    private static final long DATA = 0x21_0000;
    private static final long STATUS = 0x22_0000;

    @TempDir
    Path dir;

    private final TestMemory memory = new TestMemory(4 << 20);
    private final TestDeviceContext context = new TestDeviceContext("vda", memory);

    @Test
    void readsWritesAndAnswersGetIdThroughTheTransportAndWorksAgainAfterAReset() throws Exception {
        byte[] image = new byte[1 << 20];
        byte[] marker = "JVMM-E2E-MARKER".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(marker, 0, image, 100 * 512, marker.length);
        Files.write(dir.resolve("vda.img"), image);
        TomlDeviceConfig config = DeviceConfigs.of("virtio-blk", "vda", dir, Map.of("path", "vda.img", "serial", "e2e-serial"));
        try (Device device = new BlockFactory().create(config, context)) {
            ModernVirtioDriver driver = new ModernVirtioDriver((PciDevice) device, context.recordingIoEvents(),
                    new TestBarAllocator(), memory);
            driver.probe();
            assertThat(driver.config(0x02, 2)).as("PCI device id").isEqualTo(0x1042);
            assertThat(driver.deviceConfig(0, 8)).as("capacity").isEqualTo((1 << 20) / 512);
            for (int round = 0; round < 2; round++) {
                driver.negotiate(-1L);
                driver.enableMsix();
                driver.setConfigVector(0);
                DriverRing ring = driver.setupQueue(0, 128, 0x1000 + 0x8000L * round, 1);
                driver.enableQueue(0);
                driver.driverOk();

                memory.write(HEADER, Chains.blkHeader(BlockRequestHandler.T_IN, 100));
                ring.add(List.of(new Buf(HEADER, 16, false), new Buf(DATA, 512, true), new Buf(STATUS, 1, true)));
                driver.kick(0);
                assertThat(ring.awaitUsed(5000)).extracting(DriverRing.Used::length).isEqualTo(513);
                assertThat(memory.bytes(DATA, marker.length)).isEqualTo(marker);
                assertThat(memory.readByte(STATUS)).isZero();

                byte[] pattern = new byte[4096];
                Arrays.fill(pattern, (byte) (0x40 + round));
                memory.write(HEADER, Chains.blkHeader(BlockRequestHandler.T_OUT, 8));
                memory.write(DATA, pattern);
                ring.add(List.of(new Buf(HEADER, 16, false), new Buf(DATA, 4096, false), new Buf(STATUS, 1, true)));
                memory.write(HEADER + 64, Chains.blkHeader(BlockRequestHandler.T_GET_ID, 0));
                ring.add(List.of(new Buf(HEADER + 64, 16, false), new Buf(DATA + 8192, 20, true),
                        new Buf(STATUS + 1, 1, true)));
                driver.kick(0);
                assertThat(ring.awaitUsed(5000)).isNotNull();
                assertThat(ring.awaitUsed(5000)).extracting(DriverRing.Used::length).isEqualTo(21);
                assertThat(memory.readByte(STATUS)).isZero();
                assertThat(new String(memory.bytes(DATA + 8192, 10), StandardCharsets.US_ASCII)).isEqualTo("e2e-serial");
                assertThat(Arrays.copyOfRange(Files.readAllBytes(dir.resolve("vda.img")), 8 * 512, 8 * 512 + 4096))
                        .isEqualTo(pattern);

                driver.reset();
                assertThat(context.threads()).allSatisfy(t -> assertThat(t.isAlive()).isFalse());
            }
        }
    }
}
