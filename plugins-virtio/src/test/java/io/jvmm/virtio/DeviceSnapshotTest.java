package io.jvmm.virtio;

import io.jvmm.spi.ComponentState;
import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceException;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.spi.Pausable;
import io.jvmm.spi.PciDevice;
import io.jvmm.spi.Snapshottable;
import io.jvmm.spi.Snapshottable.StateException;
import io.jvmm.virtio.block.BlockFactory;
import io.jvmm.config.TomlDeviceConfig;
import io.jvmm.testkit.DeviceConfigs;
import io.jvmm.virtio.console.ConsoleFactory;
import io.jvmm.virtio.rng.RngDeviceFactory;
import io.jvmm.virtio.block.TestMemory;
import io.jvmm.testkit.DriverRing;
import io.jvmm.testkit.DriverRing.Buf;
import io.jvmm.testkit.ModernVirtioDriver;
import io.jvmm.testkit.TestBarAllocator;
import io.jvmm.testkit.TestDeviceContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each virtio device through its factory and the PCI transport: set up by the driver model,
 * paused, saved, closed, created again from the same config "in a new process" and restored;
 * its record survives the round trip and it still serves requests; a device whose host side
 * changed (image resized or gone, another port) is refused with a message saying what changed.
 * virtio-net, which needs a tap, is in {@code net.NetSnapshotTest}.
 */
class DeviceSnapshotTest {
    private static final long DATA = 0x20_0000;

    @TempDir
    Path dir;

    private final TestMemory memory = new TestMemory(0x40_0000);
    private final List<Device> open = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(Device::close);
    }

    private record Booted(Device device, ModernVirtioDriver driver, DriverRing[] rings, TestDeviceContext context) {
    }

    private Device create(DeviceFactory factory, String type, Map<String, Object> config, TestDeviceContext context)
            throws DeviceException {
        Device d = factory.create(DeviceConfigs.of(type, "dev0", dir, config), context);
        open.add(d);
        return d;
    }

    /** Probe to DRIVER_OK with MSI-X (no event index, so every completion interrupts). */
    private Booted boot(DeviceFactory factory, String type, Map<String, Object> config) throws DeviceException {
        TestDeviceContext context = new TestDeviceContext("dev0", memory);
        Device device = create(factory, type, config, context);
        ModernVirtioDriver driver = new ModernVirtioDriver((PciDevice) device, context.recordingIoEvents(),
                new TestBarAllocator(), memory);
        driver.probe();
        assertThat(driver.negotiate(~(1L << VirtioFeatures.RING_EVENT_IDX))).isNotEqualTo(-1);
        driver.enableMsix();
        driver.setConfigVector(0);
        int queues = (int) driver.common(0x12, 2);
        DriverRing[] rings = new DriverRing[queues];
        for (int q = 0; q < queues; q++) {
            rings[q] = driver.setupQueue(q, 16, 0x1000 + 0x1000L * q, q + 1);
            driver.enableQueue(q);
        }
        driver.driverOk();
        assertThat(driver.status() & ModernVirtioDriver.DRIVER_OK).isNotZero();
        return new Booted(device, driver, rings, context);
    }

    private static ComponentState pauseAndSave(Device d) {
        ((Pausable) d).pause();
        return ((Snapshottable) d).saveState();
    }

    /** Closes {@code old} (its process ends) and builds the device again from its config, restoring {@code saved}. */
    private Booted restore(Booted old, DeviceFactory factory, String type, Map<String, Object> config,
                           ComponentState saved) throws Exception {
        old.device().close();
        TestDeviceContext context = new TestDeviceContext("dev0", memory).restoringSnapshot();
        Device device = create(factory, type, config, context);
        ModernVirtioDriver driver = old.driver().continueWith((PciDevice) device, context.recordingIoEvents(),
                new TestBarAllocator());
        ((Snapshottable) device).restoreState(saved);
        return new Booted(device, driver, old.rings(), context);
    }

    private static void assertRoundTrip(Booted restored, ComponentState saved) {
        ComponentState again = pauseAndSave(restored.device());
        assertThat(again).isEqualTo(saved);
        ((Pausable) restored.device()).resume();
    }

    // ---- virtio-rng

    @Test
    void rngRoundTripsAndServesAfterRestore() throws Exception {
        Map<String, Object> config = Map.of();
        Booted a = boot(new RngDeviceFactory(), "virtio-rng", config);
        ComponentState saved = pauseAndSave(a.device());

        Booted b = restore(a, new RngDeviceFactory(), "virtio-rng", config, saved);
        assertRoundTrip(b, saved);

        int head = b.rings()[0].add(List.of(new Buf(DATA, 64, true)));
        b.driver().kick(0);
        assertThat(b.rings()[0].awaitUsed(5000)).isEqualTo(new DriverRing.Used(head, 64));
    }

    // ---- virtio-blk

    private Path image(String name, long size) throws Exception {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
            f.seek(512 * 3);
            f.write("SECTOR-THREE".getBytes(StandardCharsets.US_ASCII));
        }
        return p;
    }

    /** A VIRTIO_BLK_T_IN of sector 3; returns the status byte's address. */
    private long readSector3(Booted b) {
        memory.writeInt(DATA, 0); // VIRTIO_BLK_T_IN
        memory.writeInt(DATA + 4, 0);
        memory.writeLong(DATA + 8, 3);
        memory.writeByte(DATA + 0x1000, (byte) 0xff);
        b.rings()[0].add(List.of(new Buf(DATA, 16, false), new Buf(DATA + 0x200, 512, true),
                new Buf(DATA + 0x1000, 1, true)));
        b.driver().kick(0);
        return DATA + 0x1000;
    }

    @Test
    void blkRoundTripsAndReadsTheImageAfterRestore() throws Exception {
        image("disk.img", 1 << 20);
        Map<String, Object> config = Map.of("path", "disk.img", "serial", "snap-disk");
        Booted a = boot(new BlockFactory(), "virtio-blk", config);
        ComponentState saved = pauseAndSave(a.device());

        Booted b = restore(a, new BlockFactory(), "virtio-blk", config, saved);
        assertRoundTrip(b, saved);

        long status = readSector3(b);
        assertThat(b.rings()[0].awaitUsed(5000)).isNotNull();
        assertThat(memory.readByte(status)).as("VIRTIO_BLK_S_OK").isZero();
        byte[] got = new byte[12];
        memory.read(DATA + 0x200, got);
        assertThat(new String(got, StandardCharsets.US_ASCII)).isEqualTo("SECTOR-THREE");
    }

    @Test
    void blkRefusesAnImageWhoseSizeChanged() throws Exception {
        Path img = image("disk.img", 1 << 20);
        Map<String, Object> config = Map.of("path", "disk.img");
        Booted a = boot(new BlockFactory(), "virtio-blk", config);
        ComponentState saved = pauseAndSave(a.device());
        a.device().close();
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(2 << 20);
        }

        assertThatThrownBy(() -> restore(a, new BlockFactory(), "virtio-blk", config, saved))
                .isInstanceOf(StateException.class)
                .hasMessageContaining(img.toString()).hasMessageContaining("2097152 bytes now")
                .hasMessageContaining("1048576 bytes when the snapshot was taken");
    }

    @Test
    void blkRefusesAnImageThatIsGone() throws Exception {
        Path img = image("disk.img", 1 << 20);
        Map<String, Object> config = Map.of("path", "disk.img");
        Booted a = boot(new BlockFactory(), "virtio-blk", config);
        ComponentState saved = pauseAndSave(a.device());
        a.device().close();
        Files.delete(img);

        assertThatThrownBy(() -> restore(a, new BlockFactory(), "virtio-blk", config, saved))
                .isInstanceOf(DeviceException.class).hasMessageContaining("disk.img")
                .hasMessageContaining("is gone").hasMessageContaining("put it back");
    }

    @Test
    void blkRefusesADiskThatBecameReadOnly() throws Exception {
        image("disk.img", 1 << 20);
        Booted a = boot(new BlockFactory(), "virtio-blk", Map.of("path", "disk.img"));
        ComponentState saved = pauseAndSave(a.device());

        assertThatThrownBy(() -> restore(a, new BlockFactory(), "virtio-blk",
                Map.of("path", "disk.img", "readonly", true), saved))
                .isInstanceOf(StateException.class).hasMessageContaining("settings changed");
    }

    // ---- virtio-console

    @Test
    void consoleRoundTripsAndAppendsToItsOutputFileAfterRestore() throws Exception {
        Map<String, Object> config = Map.of("output", "file", "path", "hvc0.log", "cols", 100L, "rows", 30L);
        Booted a = boot(new ConsoleFactory(), "virtio-console", config);
        memory.write(DATA, "before|".getBytes(StandardCharsets.US_ASCII));
        a.rings()[1].add(List.of(new Buf(DATA, 7, false)));
        a.driver().kick(1);
        assertThat(a.rings()[1].awaitUsed(5000)).isNotNull();
        ComponentState saved = pauseAndSave(a.device());

        Booted b = restore(a, new ConsoleFactory(), "virtio-console", config, saved);
        assertRoundTrip(b, saved);
        assertThat(b.driver().deviceConfig(0, 2)).as("cols").isEqualTo(100);
        memory.write(DATA, "after".getBytes(StandardCharsets.US_ASCII));
        b.rings()[1].add(List.of(new Buf(DATA, 5, false)));
        b.driver().kick(1);
        assertThat(b.rings()[1].awaitUsed(5000)).isNotNull();

        assertThat(Files.readString(dir.resolve("hvc0.log"))).isEqualTo("before|after");
    }

    @Test
    void consoleRefusesAnotherPort() throws Exception {
        Booted a = boot(new ConsoleFactory(), "virtio-console", Map.of("output", "file", "path", "a.log"));
        ComponentState saved = pauseAndSave(a.device());

        assertThatThrownBy(() -> restore(a, new ConsoleFactory(), "virtio-console",
                Map.of("output", "file", "path", "b.log"), saved))
                .isInstanceOf(StateException.class).hasMessageContaining("a.log").hasMessageContaining("b.log");
    }
}
