package io.jvmm.virtio.net;

import io.jvmm.spi.ComponentState;
import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceException;
import io.jvmm.spi.Pausable;
import io.jvmm.spi.PciDevice;
import io.jvmm.spi.Snapshottable;
import io.jvmm.spi.Snapshottable.StateException;
import io.jvmm.virtio.VirtioFeatures;
import io.jvmm.config.TomlDeviceConfig;
import io.jvmm.testkit.DeviceConfigs;
import io.jvmm.virtio.block.TestMemory;
import io.jvmm.testkit.ModernVirtioDriver;
import io.jvmm.testkit.TestBarAllocator;
import io.jvmm.testkit.TestDeviceContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * virtio-net's snapshot record through the factory and the PCI transport: the tap is opened
 * again in the "new process", the workers restart, the record round-trips exactly, and a config
 * whose MAC changed is refused. Needs /dev/net/tun and CAP_NET_ADMIN; skipped otherwise.
 */
class NetSnapshotTest {
    @TempDir
    Path dir;

    private final TestMemory memory = new TestMemory(0x40_0000);
    private final List<Device> open = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(Device::close);
    }

    private TestDeviceContext context() {
        TestDeviceContext c = new TestDeviceContext("net0", memory);
        c.recordingIoEvents().useEventFds(TestEventFd::new); // real eventfds: the workers poll them
        return c;
    }

    private Device create(Map<String, Object> config, TestDeviceContext context) throws DeviceException {
        Device d = new NetFactory().create(DeviceConfigs.of("virtio-net", "net0", dir, config), context);
        open.add(d);
        return d;
    }

    private static ComponentState pauseAndSave(Device d) {
        ((Pausable) d).pause();
        return ((Snapshottable) d).saveState();
    }

    @Test
    void roundTripsOnTheReopenedTapAndRefusesAnotherMac() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "no /dev/net/tun");
        String tap = "jvs" + ProcessHandle.current().pid() % 100000 + "x" + ThreadLocalRandom.current().nextInt(100);
        Map<String, Object> config = new HashMap<>(Map.of("tap", tap, "mac", "02:6a:76:00:00:09"));
        TestDeviceContext first = context();
        Device a;
        try {
            a = create(config, first);
        } catch (DeviceException e) {
            assumeTrue(false, "cannot create a tap here: " + e.getMessage());
            return;
        }
        ModernVirtioDriver driver = new ModernVirtioDriver((PciDevice) a, first.recordingIoEvents(),
                new TestBarAllocator(), memory);
        driver.probe();
        assertThat(driver.negotiate(~(1L << VirtioFeatures.RING_EVENT_IDX))).isNotEqualTo(-1);
        driver.enableMsix();
        driver.setConfigVector(0);
        for (int q = 0; q < 2; q++) {
            driver.setupQueue(q, 16, 0x1000 + 0x1000L * q, q + 1);
            driver.enableQueue(q);
        }
        driver.driverOk();
        ComponentState saved = pauseAndSave(a);
        a.close();

        TestDeviceContext second = context().restoringSnapshot();
        Device b = create(config, second);
        driver.continueWith((PciDevice) b, second.recordingIoEvents(), new TestBarAllocator());
        ((Snapshottable) b).restoreState(saved);

        assertThat(second.threads()).as("receive and transmit workers started again").hasSize(2);
        ComponentState again = pauseAndSave(b);
        assertThat(again).isEqualTo(saved);
        b.close();

        config.put("mac", "02:6a:76:00:00:0a");
        TestDeviceContext third = context().restoringSnapshot();
        Device c = create(config, third);
        driver.continueWith((PciDevice) c, third.recordingIoEvents(), new TestBarAllocator());
        assertThatThrownBy(() -> ((Snapshottable) c).restoreState(saved)).isInstanceOf(StateException.class)
                .hasMessageContaining("MAC");
    }
}
