package io.jvmm.examples.balloon;

import static io.jvmm.testkit.ModernVirtioDriver.DEVICE_CFG;
import static io.jvmm.testkit.ModernVirtioDriver.DEVICE_NEEDS_RESET;
import static io.jvmm.testkit.ModernVirtioDriver.DRIVER_OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.spi.DeviceCommand;
import io.jvmm.spi.DeviceCommandException;
import io.jvmm.spi.DeviceCommands;
import io.jvmm.testkit.ByteArrayGuestMemory;
import io.jvmm.testkit.DriverRing;
import io.jvmm.testkit.DriverRing.Buf;
import io.jvmm.testkit.ModernVirtioDriver;
import io.jvmm.testkit.TestBarAllocator;
import io.jvmm.testkit.TestDeviceContext;
import io.jvmm.virtio.pci.VirtioPciDevice;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The balloon as Linux's virtio_balloon drives it (virtio 1.2, 5.5), and its runtime commands. */
class BalloonDeviceTest {
    private static final int RAM = 16 << 20;
    private static final long INFLATE_RING = 0x10_0000;
    private static final long DEFLATE_RING = 0x11_0000;
    private static final long PFN_ARRAY = 0x20_0000;

    private final ByteArrayGuestMemory memory = new ByteArrayGuestMemory(RAM);
    private final TestDeviceContext context = new TestDeviceContext("balloon0", memory);
    private BalloonDevice balloon;
    private VirtioPciDevice device;
    private ModernVirtioDriver driver;
    private DriverRing inflate;
    private DriverRing deflate;

    @BeforeEach
    void probe() {
        balloon = new BalloonDevice("balloon0", memory, 0);
        device = new VirtioPciDevice("balloon0", balloon, context);
        driver = new ModernVirtioDriver(device, context.recordingIoEvents(), new TestBarAllocator(), memory);
        driver.probe();
    }

    @AfterEach
    void close() throws Exception {
        device.close();
    }

    /** virtballoon_probe: inflate and deflate queues on vectors 1 and 2, config changes on vector 0. */
    private void bindDriver() {
        assertNotEquals(-1, driver.negotiate(-1L));
        driver.enableMsix();
        assertTrue(driver.setConfigVector(0));
        inflate = driver.setupQueue(BalloonDevice.INFLATE_QUEUE, 64, INFLATE_RING, 1);
        deflate = driver.setupQueue(BalloonDevice.DEFLATE_QUEUE, 64, DEFLATE_RING, 2);
        driver.enableQueue(BalloonDevice.INFLATE_QUEUE);
        driver.enableQueue(BalloonDevice.DEFLATE_QUEUE);
        driver.driverOk();
    }

    /** tell_host: one buffer holding le32 PFNs, kick, wait until the device used it. */
    private void tellHost(DriverRing ring, int queue, long... pfns) throws InterruptedException {
        for (int i = 0; i < pfns.length; i++) {
            memory.writeInt(PFN_ARRAY + 4L * i, (int) pfns[i]);
        }
        ring.add(List.of(new Buf(PFN_ARRAY, 4 * pfns.length, false)));
        driver.kick(queue);
    }

    private void awaitUsed(DriverRing ring) throws InterruptedException {
        assertNotNull(ring.awaitUsed(5000), "the device did not return the PFN array");
    }

    /** update_balloon_size: the driver writes actual. */
    private void reportActual(int pages) {
        driver.write(driver.caps.get(DEVICE_CFG).offset() + 4, 4, pages);
    }

    private String run(String command, String... args) throws DeviceCommandException {
        // Through the PCI transport, as jvmm's shell and control pipe find the commands.
        for (DeviceCommand c : ((DeviceCommands) device).commands()) {
            if (c.name().equals(command)) {
                return c.action().run(List.of(args));
            }
        }
        throw new AssertionError("no command " + command);
    }

    private static long[] range(long first, int count) {
        long[] pfns = new long[count];
        for (int i = 0; i < count; i++) {
            pfns[i] = first + i;
        }
        return pfns;
    }

    @Test
    void isABalloonWithTwoQueuesOfferingMustTellHostAndVersion1() {
        assertEquals(0x1af4, driver.config(0x00, 2));
        assertEquals(0x1045, driver.config(0x02, 2)); // 0x1040 + 5 (4.1.2.1)
        assertEquals(2, driver.common(0x12, 2)); // num_queues
        long features = driver.deviceFeatures();
        assertEquals(1L, features & 1L << BalloonDevice.F_MUST_TELL_HOST);
        assertEquals(1L << 32, features & 1L << 32);
        assertEquals(0, driver.deviceConfig(0, 4)); // num_pages
        assertEquals(0, driver.deviceConfig(4, 4)); // actual
    }

    @Test
    void theTargetCommandSetsNumPagesAndSendsTheConfigChangeInterrupt() throws Exception {
        bindDriver();
        long generation = driver.common(0x15, 1);
        assertEquals("target 4 MiB (1024 pages)", run("target", "4"));
        assertEquals(1024, driver.deviceConfig(0, 4));
        assertTrue(context.vectors().get(0).awaitTrigger(5, TimeUnit.SECONDS), "no config-change interrupt");
        assertNotEquals(generation, driver.common(0x15, 1));
    }

    @Test
    void aTargetSetBeforeTheDriverBindsIsReadAtProbe() throws Exception {
        assertTrue(run("target", "2").contains("no driver yet"));
        bindDriver();
        assertEquals(512, driver.deviceConfig(0, 4));
    }

    @Test
    void inflatedPagesAreRecordedAndStatusShowsThem() throws Exception {
        bindDriver();
        run("target", "1");
        tellHost(inflate, BalloonDevice.INFLATE_QUEUE, range(0x300, 256));
        awaitUsed(inflate);
        reportActual(256);
        assertEquals(256, driver.deviceConfig(4, 4));
        String status = run("status");
        assertTrue(status.startsWith("target 1 MiB (256 pages), the guest reports 1 MiB (256 pages), pages in the balloon 256 "),
                status);
        assertTrue(status.contains("host memory is not released"), status);
    }

    @Test
    void aPageInflatedTwiceIsCountedOnce() throws Exception {
        bindDriver();
        tellHost(inflate, BalloonDevice.INFLATE_QUEUE, 0x400, 0x400, 0x401);
        awaitUsed(inflate);
        assertTrue(run("status").contains("pages in the balloon 2 "));
    }

    @Test
    void deflatedPagesLeaveTheBalloon() throws Exception {
        bindDriver();
        tellHost(inflate, BalloonDevice.INFLATE_QUEUE, range(0x300, 8));
        awaitUsed(inflate);
        tellHost(deflate, BalloonDevice.DEFLATE_QUEUE, 0x300, 0x301, 0x900); // 0x900 was never inflated
        awaitUsed(deflate);
        assertTrue(run("status").contains("pages in the balloon 6 (0 MiB; given 8, taken back 2)"), run("status"));
    }

    @Test
    void aPfnOutsideGuestRamPutsTheDeviceInNeedsReset() throws Exception {
        bindDriver();
        long outside = (long) RAM >> 12; // the first page past the end of RAM
        tellHost(inflate, BalloonDevice.INFLATE_QUEUE, 0x300, outside);
        for (int i = 0; i < 500 && (driver.status() & DEVICE_NEEDS_RESET) == 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(DEVICE_NEEDS_RESET, driver.status() & DEVICE_NEEDS_RESET);
        assertFalse(run("status").contains("balloon 2 "));
    }

    @Test
    void theTargetCommandRefusesWhatIsNotAWholeNumberOfMibWithinRam() {
        for (List<String> args : List.of(List.<String>of(), List.of("abc"), List.of("-1"), List.of("17"), List.of("1", "2"))) {
            assertThrows(DeviceCommandException.class, () -> run("target", args.toArray(String[]::new)), args.toString());
        }
    }

    @Test
    void aResetGivesTheGuestAllItsPagesBackAndKeepsTheTarget() throws Exception {
        bindDriver();
        run("target", "1");
        tellHost(inflate, BalloonDevice.INFLATE_QUEUE, range(0x300, 16));
        awaitUsed(inflate);
        reportActual(16);
        driver.reset();
        assertEquals(0, driver.status() & DRIVER_OK);
        assertEquals(256, driver.deviceConfig(0, 4));
        assertEquals(0, driver.deviceConfig(4, 4));
        assertTrue(run("status").contains("pages in the balloon 0 "));
    }
}
