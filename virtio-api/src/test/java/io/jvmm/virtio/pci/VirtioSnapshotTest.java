package io.jvmm.virtio.pci;

import io.jvmm.spi.ComponentState;
import io.jvmm.spi.PciBar;
import io.jvmm.spi.Snapshottable.StateException;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.VirtioActivation;
import io.jvmm.virtio.VirtioDevice;
import io.jvmm.virtio.VirtioFeatures;
import io.jvmm.virtio.VirtioQueue;
import io.jvmm.virtio.queue.QueueState;
import io.jvmm.testkit.ByteArrayGuestMemory;
import io.jvmm.testkit.DriverRing;
import io.jvmm.testkit.DriverRing.Buf;
import io.jvmm.testkit.ModernVirtioDriver;
import io.jvmm.testkit.TestBarAllocator;
import io.jvmm.testkit.TestDeviceContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static io.jvmm.testkit.ModernVirtioDriver.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pause, snapshot and restore of the virtio PCI transport (issue 5): the guest's driver model
 * sets the device up once; the device is paused, saved, and restored into a new device in a
 * "new VMM" (new context, new ioeventfds and MSI vectors, the same guest memory), and the driver
 * carries on without setting anything up again.
 */
class VirtioSnapshotTest {
    private static final long DATA = 0x10_0000;

    private final ByteArrayGuestMemory memory = new ByteArrayGuestMemory(0x40_0000);
    private final List<VirtioPciDevice> devices = new ArrayList<>();

    @AfterEach
    void close() {
        devices.forEach(VirtioPciDevice::close);
    }

    /** One VMM process's view of a device. */
    private record Vmm(TestDeviceContext context, VirtioPciDevice device, ModernVirtioDriver driver) {
    }

    private Vmm boot(VirtioDevice half) {
        TestDeviceContext context = new TestDeviceContext("dev0", memory);
        VirtioPciDevice device = new VirtioPciDevice("dev0", half, context);
        devices.add(device);
        ModernVirtioDriver driver = new ModernVirtioDriver(device, context.recordingIoEvents(), new TestBarAllocator(),
                memory);
        return new Vmm(context, device, driver);
    }

    /** The old process ends; a new one builds the device from its config, places its BAR, restores it. */
    private Vmm restore(Vmm old, VirtioDevice freshHalf, ComponentState saved) throws StateException {
        old.device().close();
        TestDeviceContext context = new TestDeviceContext("dev0", memory);
        VirtioPciDevice device = new VirtioPciDevice("dev0", freshHalf, context);
        devices.add(device);
        ModernVirtioDriver driver = old.driver().continueWith(device, context.recordingIoEvents(), new TestBarAllocator());
        device.restoreState(saved);
        return new Vmm(context, device, driver);
    }

    /**
     * virtio_pci_modern probe to DRIVER_OK with MSI-X: config vector 0, queue q on vector q + 1.
     * Without VIRTIO_F_RING_EVENT_IDX, so every completion interrupts and the tests can wait for it.
     */
    private static DriverRing[] bringUp(ModernVirtioDriver driver, int queues) {
        driver.probe();
        assertThat(driver.negotiate(~(1L << VirtioFeatures.RING_EVENT_IDX))).isNotEqualTo(-1);
        driver.enableMsix();
        assertThat(driver.setConfigVector(0)).isTrue();
        DriverRing[] rings = new DriverRing[queues];
        for (int q = 0; q < queues; q++) {
            rings[q] = driver.setupQueue(q, 16, 0x1000 + 0x1000L * q, q + 1);
            driver.enableQueue(q);
        }
        driver.driverOk();
        return rings;
    }

    private void echo(ModernVirtioDriver driver, DriverRing ring, int queue, TestDeviceContext context, String text)
            throws InterruptedException {
        memory.write(DATA, text.getBytes());
        int head = ring.add(List.of(new Buf(DATA, text.length(), false), new Buf(DATA + 0x100, 64, true)));
        driver.kick(queue);
        DriverRing.Used used = ring.awaitUsed(5000);
        assertThat(used).isEqualTo(new DriverRing.Used(head, text.length()));
        assertThat(context.vectors().get(queue + 1).awaitTrigger(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void theTransportStateSurvivesARoundTripExactly() throws Exception {
        Vmm a = boot(new EchoDevice());
        DriverRing[] rings = bringUp(a.driver(), 2);
        for (int i = 0; i < 3; i++) {
            echo(a.driver(), rings[1], 1, a.context(), "request " + i);
        }
        a.driver().maskVector(2, true);
        a.driver().common(0x16, 2, 1); // queue_select = 1, as a driver may leave it
        a.device().pause();
        ComponentState saved = a.device().saveState();

        Vmm b = restore(a, new EchoDevice(), saved);
        b.device().pause();
        ComponentState again = b.device().saveState();

        assertThat(again).isEqualTo(saved);
        assertThat(b.driver().status()).isEqualTo(ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
        assertThat(b.driver().common(0x16, 2)).as("queue_select").isEqualTo(1);
        assertThat(b.driver().common(0x1a, 2)).as("queue 1's vector").isEqualTo(2);
        assertThat(b.driver().config(0x04, 2) & 0x6).as("memory + bus master").isEqualTo(0x6);
        assertThat(b.context().vectors().get(1).route())
                .as("the new VMM's MSI route comes from the restored table")
                .isEqualTo(a.context().vectors().get(1).route());
        assertThat(b.context().vectors().get(2).route().masked()).isTrue();
    }

    @Test
    void aRestoredDeviceServesTheQueuesWithoutTheGuestSettingThemUpAgain() throws Exception {
        Vmm a = boot(new EchoDevice());
        DriverRing[] rings = bringUp(a.driver(), 2);
        echo(a.driver(), rings[0], 0, a.context(), "before");
        a.device().pause();
        ComponentState saved = a.device().saveState();

        Vmm b = restore(a, new EchoDevice(), saved);

        assertThat(b.context().recordingIoEvents().live().values())
                .extracting(r -> r.address())
                .containsExactlyInAnyOrder(b.driver().bar().address() + 0x6000, b.driver().bar().address() + 0x6004);
        echo(b.driver(), rings[0], 0, b.context(), "after restore");
        echo(b.driver(), rings[1], 1, b.context(), "other queue");
    }

    @Test
    void aRequestTheGuestMadeWhilePausedIsServedAfterRestoreWithoutAnotherKick() throws Exception {
        Vmm a = boot(new EchoDevice());
        DriverRing[] rings = bringUp(a.driver(), 2);
        a.device().pause();
        memory.write(DATA, "late".getBytes());
        int head = rings[0].add(List.of(new Buf(DATA, 4, false), new Buf(DATA + 0x100, 16, true)));
        a.driver().kick(0); // reaches no worker: the device is paused
        assertThat(rings[0].awaitUsed(200)).as("nothing is served while paused").isNull();
        ComponentState saved = a.device().saveState();

        Vmm b = restore(a, new EchoDevice(), saved);

        assertThat(rings[0].awaitUsed(5000)).isEqualTo(new DriverRing.Used(head, 4));
        assertThat(b.context().vectors().get(1).awaitTrigger(5, TimeUnit.SECONDS)).isTrue();
    }

    /** One queue; its worker takes a chain and holds it until {@code release}, leaving it in flight if stopped first. */
    static final class HoldingDevice implements VirtioDevice {
        final AtomicInteger taken = new AtomicInteger();
        volatile boolean release;

        HoldingDevice(boolean release) {
            this.release = release;
        }

        @Override
        public int deviceType() {
            return 62;
        }

        @Override
        public long deviceFeatures() {
            return 0;
        }

        @Override
        public int queueCount() {
            return 1;
        }

        @Override
        public int queueMaxSize(int index) {
            return 16;
        }

        @Override
        public int configSize() {
            return 0;
        }

        @Override
        public void readConfig(int offset, byte[] data) {
        }

        @Override
        public void activate(VirtioActivation activation) {
            VirtioQueue q = activation.queue(0);
            activation.startWorker("hold", () -> serve(q));
        }

        private void serve(VirtioQueue q) {
            while (!q.stopped()) {
                DescriptorChain c = q.pop();
                if (c == null) {
                    if (!q.awaitNotification()) {
                        return;
                    }
                    continue;
                }
                taken.incrementAndGet();
                while (!release) {
                    if (q.stopped()) {
                        return; // like the net receive worker's unfilled chains: held, not completed
                    }
                    Thread.onSpinWait();
                }
                io.jvmm.virtio.ChainWriter w = c.writer();
                w.write(new byte[] {42});
                q.complete(c, w.written());
            }
        }

        @Override
        public void reset() {
        }

        @Override
        public boolean snapshottable() {
            return true;
        }

        @Override
        public byte[] saveState() {
            return new byte[0];
        }

        @Override
        public void restoreState(byte[] state) {
        }
    }

    @Test
    void aChainTakenButNotCompletedAtPauseIsTakenAgainAfterRestoreAndCompletedOnce() throws Exception {
        HoldingDevice holding = new HoldingDevice(false);
        Vmm a = boot(holding);
        DriverRing ring = bringUp(a.driver(), 1)[0];
        int head = ring.add(List.of(new Buf(DATA, 8, true)));
        a.driver().kick(0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (holding.taken.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(holding.taken.get()).isEqualTo(1);
        a.device().pause();
        ComponentState saved = a.device().saveState();
        assertThat(ring.usedIdx()).as("not completed before the snapshot").isZero();

        HoldingDevice fresh = new HoldingDevice(true);
        restore(a, fresh, saved);

        assertThat(ring.awaitUsed(5000)).isEqualTo(new DriverRing.Used(head, 1));
        Thread.sleep(100);
        assertThat(ring.usedIdx()).as("completed exactly once").isEqualTo(1);
        assertThat(fresh.taken.get()).isEqualTo(1);
        assertThat(memory.readByte(DATA)).isEqualTo((byte) 42);
    }

    @Test
    void pauseAndResumeInOneProcessKeepsAHeldChainAndServesItAfterwards() throws Exception {
        HoldingDevice holding = new HoldingDevice(false);
        Vmm a = boot(holding);
        DriverRing ring = bringUp(a.driver(), 1)[0];
        int head = ring.add(List.of(new Buf(DATA, 8, true)));
        a.driver().kick(0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (holding.taken.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        a.device().pause();
        holding.release = true;
        a.device().resume();

        assertThat(ring.awaitUsed(5000)).isEqualTo(new DriverRing.Used(head, 1));
        assertThat(holding.taken.get()).as("taken again after resume").isEqualTo(2);
        Thread.sleep(100);
        assertThat(ring.usedIdx()).isEqualTo(1);
    }

    @Test
    void aDeviceTheDriverNeverStartedRestoresAsNeverStarted() throws Exception {
        Vmm a = boot(new EchoDevice());
        a.driver().probe();
        a.device().pause();
        ComponentState saved = a.device().saveState();

        Vmm b = restore(a, new EchoDevice(), saved);

        assertThat(b.driver().status()).isZero();
        assertThat(b.context().recordingIoEvents().live()).isEmpty();
        assertThat(b.context().threads()).isEmpty();
    }

    @Test
    void aSnapshotOfARunningDeviceIsRefused() {
        Vmm a = boot(new EchoDevice());
        bringUp(a.driver(), 2);
        assertThatThrownBy(() -> a.device().saveState()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not paused");
    }

    // ---- untrusted state: every bad record is a StateException saying what is wrong

    private ComponentState pausedSnapshot() {
        Vmm a = boot(new EchoDevice());
        bringUp(a.driver(), 2);
        a.device().pause();
        return a.device().saveState();
    }

    private static ComponentState edit(ComponentState st, UnaryOperator<VirtioPciState> change) throws StateException {
        VirtioPciState s = VirtioPciState.decode(st.version(), st.payload());
        return new ComponentState(st.id(), st.version(), change.apply(s).encode());
    }

    private static VirtioPciState withQueue0(VirtioPciState s, UnaryOperator<QueueState> change) {
        List<VirtioPciState.Queue> queues = new ArrayList<>(s.queues());
        VirtioPciState.Queue q = queues.get(0);
        queues.set(0, new VirtioPciState.Queue(change.apply(q.state()), q.signalledUsed(), q.vector()));
        return new VirtioPciState(s.config(), s.barRegister(), s.barAddress(), s.msixEntries(), s.msixPending(),
                s.status(), s.generation(), s.deviceFeatureSelect(), s.driverFeatureSelect(), s.offeredFeatures(),
                s.driverFeatures(), s.queueSelect(), s.configVector(), s.isr(), queues, s.device());
    }

    /** Restoring {@code bad} into a fresh device fails with a message containing {@code message}, and changes nothing. */
    private void assertRefused(ComponentState bad, String message) {
        TestDeviceContext context = new TestDeviceContext("dev0", memory);
        VirtioPciDevice device = new VirtioPciDevice("dev0", new EchoDevice(), context);
        devices.add(device);
        ModernVirtioDriver driver = new ModernVirtioDriver(device, context.recordingIoEvents(), new TestBarAllocator(),
                memory);
        assertThatThrownBy(() -> device.restoreState(bad)).isInstanceOf(StateException.class)
                .hasMessageContaining(message);
        driver.probe();
        assertThat(driver.status()).as("nothing restored").isZero();
        assertThat(context.threads()).isEmpty();
    }

    @Test
    void aStateOfAnotherVersionIsRefused() {
        ComponentState st = pausedSnapshot();
        assertRefused(new ComponentState(st.id(), 2, st.payload()), "version 2");
    }

    @Test
    void aTruncatedStateIsRefused() {
        ComponentState st = pausedSnapshot();
        byte[] p = st.payload();
        assertRefused(new ComponentState(st.id(), st.version(), java.util.Arrays.copyOf(p, p.length - 7)), "truncated");
    }

    @Test
    void aQueueSizeThatIsNotAPowerOfTwoIsRefused() throws Exception {
        ComponentState bad = edit(pausedSnapshot(), s -> withQueue0(s, q -> q.withSize(12)));
        assertRefused(bad, "queue 0: queue size 12 is not a power of two");
    }

    @Test
    void aRingOutsideGuestMemoryIsRefused() throws Exception {
        ComponentState bad = edit(pausedSnapshot(),
                s -> withQueue0(s, q -> q.withAddresses(0x7fff_0000_0000L, q.availRing(), q.usedRing())));
        assertRefused(bad, "descriptor table [0x7fff00000000");
        ComponentState bad2 = edit(pausedSnapshot(),
                s -> withQueue0(s, q -> q.withAddresses(q.descTable(), q.availRing(), memory.size() - 8)));
        assertRefused(bad2, "used ring");
    }

    @Test
    void aVectorBeyondTheMsixTableIsRefused() throws Exception {
        ComponentState bad = edit(pausedSnapshot(), s -> new VirtioPciState(s.config(), s.barRegister(),
                s.barAddress(), s.msixEntries(), s.msixPending(), s.status(), s.generation(), s.deviceFeatureSelect(),
                s.driverFeatureSelect(), s.offeredFeatures(), s.driverFeatures(), s.queueSelect(), 7, s.isr(),
                s.queues(), s.device()));
        assertRefused(bad, "config MSI-X vector 7");
    }

    @Test
    void featuresTheDeviceNoLongerOffersAreRefused() throws Exception {
        ComponentState bad = edit(pausedSnapshot(), s -> new VirtioPciState(s.config(), s.barRegister(),
                s.barAddress(), s.msixEntries(), s.msixPending(), s.status(), s.generation(), s.deviceFeatureSelect(),
                s.driverFeatureSelect(), s.offeredFeatures() | 2, s.driverFeatures(), s.queueSelect(), s.configVector(),
                s.isr(), s.queues(), s.device()));
        assertRefused(bad, "its settings changed");
    }

    @Test
    void anotherDevicesConfigSpaceIsRefused() throws Exception {
        ComponentState bad = edit(pausedSnapshot(), s -> {
            byte[] config = s.config();
            config[2] = 0x41; // device id: another virtio type
            return new VirtioPciState(config, s.barRegister(), s.barAddress(), s.msixEntries(), s.msixPending(),
                    s.status(), s.generation(), s.deviceFeatureSelect(), s.driverFeatureSelect(), s.offeredFeatures(),
                    s.driverFeatures(), s.queueSelect(), s.configVector(), s.isr(), s.queues(), s.device());
        });
        assertRefused(bad, "read-only config space byte 0x02");
    }

    @Test
    void aBarTheGuestMovedRestoresAtTheMovedAddressWithItsDoorbellsThere() throws Exception {
        Vmm a = boot(new EchoDevice());
        DriverRing[] rings = bringUp(a.driver(), 2);
        long moved = a.device().restoredBars().get(0).address() + 0x10_0000;
        a.device().pause();
        ComponentState saved = edit(a.device().saveState(), s -> new VirtioPciState(s.config(),
                s.barRegister() + 0x10_0000, moved, s.msixEntries(), s.msixPending(), s.status(), s.generation(),
                s.deviceFeatureSelect(), s.driverFeatureSelect(), s.offeredFeatures(), s.driverFeatures(),
                s.queueSelect(), s.configVector(), s.isr(), s.queues(), s.device()));

        Vmm b = restore(a, new EchoDevice(), saved);

        assertThat(b.device().restoredBars()).extracting(PciBar::address).containsExactly(moved);
        assertThat(b.context().recordingIoEvents().live().values()).extracting(r -> r.address())
                .contains(moved + BarLayout.NOTIFY, moved + BarLayout.NOTIFY + 4);
        assertThat(b.context().recordingIoEvents().guestWrite(moved + BarLayout.NOTIFY + 4, 2)).isTrue();
    }

    @Test
    void aBarAddressNoBarCanHaveIsRefused() throws Exception {
        ComponentState bad = edit(pausedSnapshot(), s -> new VirtioPciState(s.config(), s.barRegister(),
                s.barAddress() + 0x10, s.msixEntries(), s.msixPending(), s.status(), s.generation(),
                s.deviceFeatureSelect(), s.driverFeatureSelect(), s.offeredFeatures(), s.driverFeatures(),
                s.queueSelect(), s.configVector(), s.isr(), s.queues(), s.device()));
        assertRefused(bad, "is not a naturally aligned place");
    }

    @Test
    void garbageIsRefusedNotACrash() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 200; i++) {
            byte[] junk = new byte[random.nextInt(600)];
            random.nextBytes(junk);
            TestDeviceContext context = new TestDeviceContext("dev0", memory);
            VirtioPciDevice device = new VirtioPciDevice("dev0", new EchoDevice(), context);
            devices.add(device);
            device.allocateBars(new TestBarAllocator());
            assertThatThrownBy(() -> device.restoreState(new ComponentState("dev0", 1, junk)))
                    .isInstanceOf(StateException.class);
        }
    }
}
