package io.jvmm.virtio.pci;

import io.jvmm.spi.PciBar;
import io.jvmm.spi.PciDevice;
import io.jvmm.virtio.VirtioFeatures;
import io.jvmm.testkit.ByteArrayGuestMemory;
import io.jvmm.testkit.DriverRing;
import io.jvmm.testkit.DriverRing.Buf;
import io.jvmm.testkit.ModernVirtioDriver;
import io.jvmm.testkit.RecordingIoEvents;
import io.jvmm.testkit.RecordingMsiVector;
import io.jvmm.testkit.TestBarAllocator;
import io.jvmm.testkit.TestDeviceContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.jvmm.testkit.ModernVirtioDriver.*;
import static org.assertj.core.api.Assertions.assertThat;

/** The transport as Linux's virtio_pci_modern driver sees it, with a two-queue echo device behind it. */
class VirtioPciDeviceTest {
    private static final long ALL_FEATURES = -1L;
    private static final long DATA = 0x10_0000;

    private final ByteArrayGuestMemory memory = new ByteArrayGuestMemory(0x40_0000);
    private final TestDeviceContext context = new TestDeviceContext("echo0", memory);
    private final EchoDevice echo = new EchoDevice();
    private final VirtioPciDevice device = new VirtioPciDevice("echo0", echo, context);
    private final RecordingIoEvents kvm = context.recordingIoEvents();
    private final ModernVirtioDriver driver = new ModernVirtioDriver(device, kvm, new TestBarAllocator(), memory);

    @AfterEach
    void close() {
        device.close();
    }

    /** The whole of virtio_pci_modern probe + find_vqs + virtio_device_ready; returns queue 0's ring. */
    private DriverRing[] bringUp(boolean msix) {
        driver.probe();
        assertThat(driver.negotiate(ALL_FEATURES)).isNotEqualTo(-1);
        // vp_find_vqs_msix: MSI-X on, config vector, then each queue with its own vector.
        if (msix) {
            driver.enableMsix();
            assertThat(driver.setConfigVector(0)).isTrue();
        }
        DriverRing[] rings = new DriverRing[2];
        for (int q = 0; q < 2; q++) {
            rings[q] = driver.setupQueue(q, 16, 0x1000 + 0x1000L * q, msix ? q + 1 : NO_VECTOR);
        }
        for (int q = 0; q < 2; q++) {
            driver.enableQueue(q);
        }
        driver.driverOk();
        assertThat(driver.status()).isEqualTo(ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
        return rings;
    }

    private RecordingMsiVector vector(int entry) {
        return context.vectors().get(entry);
    }

    @Test
    void presentsAModernVirtioFunctionThatLinuxCanProbe() {
        driver.probe();

        assertThat(driver.config(0x00, 2)).isEqualTo(0x1af4);
        assertThat(driver.config(0x02, 2)).isEqualTo(0x1040 + EchoDevice.TYPE);
        assertThat(driver.config(0x08, 1)).as("revision").isEqualTo(1);
        assertThat(driver.config(0x0b, 1)).as("class").isEqualTo(0xff);
        assertThat(driver.config(0x2c, 2)).isEqualTo(0x1af4);
        assertThat(driver.config(0x3d, 1)).as("INTA#").isEqualTo(1);
        assertThat(driver.barSize).isEqualTo(512 * 1024);
        assertThat(driver.barBase).isEqualTo(driver.bar().address());
        assertThat(driver.caps.keySet()).containsExactlyInAnyOrder(COMMON_CFG, NOTIFY_CFG, ISR_CFG, DEVICE_CFG,
                PCI_CFG);
        assertThat(driver.caps.get(COMMON_CFG).length()).isGreaterThanOrEqualTo(0x38);
        assertThat(driver.caps.get(DEVICE_CFG).offset()).isEqualTo(0x4000);
        assertThat(driver.notifyMultiplier).isEqualTo(4);
        assertThat(driver.msixTableSize).isEqualTo(3);
        assertThat(driver.msixTable).isEqualTo(0x8000);
        assertThat(driver.msixPba).isEqualTo(0x48000);
        assertThat(driver.capIds).endsWith(0x11);
        assertThat(driver.common(0x12, 2)).as("num_queues").isEqualTo(2);
        assertThat(driver.deviceConfig(0, 4)).isEqualTo(0x04030201L);
    }

    @Test
    void offersTheDeviceFeaturesPlusVersion1EventIdxAndIndirect() {
        driver.probe();
        long features = driver.deviceFeatures();
        assertThat(features).isEqualTo(1L | VirtioFeatures.TRANSPORT_OFFERED);
    }

    @Test
    void exchangesBuffersThroughIoeventfdAndMsix() throws Exception {
        DriverRing[] rings = bringUp(true);
        assertThat(kvm.live().values()).extracting(RecordingIoEvents.Registration::address)
                .containsExactlyInAnyOrder(driver.bar().address() + 0x6000, driver.bar().address() + 0x6004);
        memory.write(DATA, "hello".getBytes());

        int head = rings[1].add(List.of(new Buf(DATA, 5, false), new Buf(DATA + 0x100, 16, true)));
        driver.kick(1);

        assertThat(vector(2).awaitTrigger(5, TimeUnit.SECONDS)).as("queue 1's MSI-X vector").isTrue();
        assertThat(rings[1].pollUsed()).isEqualTo(new DriverRing.Used(head, 5));
        byte[] back = new byte[5];
        memory.read(DATA + 0x100, back);
        assertThat(new String(back)).isEqualTo("hello");
        assertThat(vector(1).triggers()).isZero();
        assertThat(vector(2).route()).isEqualTo(new RecordingMsiVector.Route((MSIX_ADDRESS | 2 << 12) & 0xffff_ffffL, 0x4032, false));
    }

    @Test
    void aNotifyWriteThatTakesTheMmioExitKicksTheSameQueue() throws Exception {
        DriverRing[] rings = bringUp(true);
        rings[0].add(List.of(new Buf(DATA, 4, false), new Buf(DATA + 0x100, 4, true)));

        driver.kickThroughMmioExit(0);

        assertThat(vector(1).awaitTrigger(5, TimeUnit.SECONDS)).isTrue();
        assertThat(rings[0].pollUsed()).isNotNull();
    }

    @Test
    void fallsBackToIsrAndIntxWithoutMsix() throws Exception {
        DriverRing[] rings = bringUp(false);
        rings[0].add(List.of(new Buf(DATA, 4, false), new Buf(DATA + 0x100, 4, true)));
        driver.kick(0);

        assertThat(context.intxLine().awaitAsserted(5000)).isTrue();
        assertThat(rings[0].awaitUsed(5000)).isNotNull();
        assertThat(driver.readIsr()).isEqualTo(1);
        assertThat(context.intxLine().asserted()).isFalse();
        assertThat(driver.readIsr()).as("read-to-clear").isZero();
    }

    @Test
    void theIntxDisableBitKeepsTheLineLow() throws Exception {
        DriverRing[] rings = bringUp(false);
        driver.writeConfig(0x04, 2, driver.config(0x04, 2) | 0x400);
        rings[0].add(List.of(new Buf(DATA, 4, false), new Buf(DATA + 0x100, 4, true)));
        driver.kick(0);

        assertThat(rings[0].awaitUsed(5000)).isNotNull();
        Thread.sleep(20);
        assertThat(context.intxLine().assertions()).isZero();
        driver.writeConfig(0x04, 2, driver.config(0x04, 2) & ~0x400);
        assertThat(context.intxLine().asserted()).isTrue();
    }

    @Test
    void resetStopsWorkersDropsIoeventfdsAndAllowsReactivation() throws Exception {
        DriverRing[] rings = bringUp(true);
        rings[0].add(List.of(new Buf(DATA, 4, false), new Buf(DATA + 0x100, 4, true)));
        driver.kick(0);
        assertThat(rings[0].awaitUsed(5000)).isNotNull();
        int resetsBefore = echo.resets.get();

        driver.reset();

        assertThat(echo.resets).hasValue(resetsBefore + 1);
        assertThat(context.threads()).allSatisfy(t -> assertThat(t.isAlive()).isFalse());
        assertThat(kvm.live()).isEmpty();
        assertThat(kvm.unregistered()).isEqualTo(2);
        driver.common(0x16, 2, 0);
        assertThat(driver.common(0x1c, 2)).as("queue_enable").isZero();
        assertThat(driver.common(0x18, 2)).as("queue_size back to max").isEqualTo(16);
        assertThat(driver.common(0x1a, 2)).as("queue vector").isEqualTo(NO_VECTOR);
        assertThat(driver.common(0x10, 2)).as("config vector").isEqualTo(NO_VECTOR);
        assertThat(driver.common(0x0c, 4)).as("driver features").isZero();

        // Linux's virtio_pci re-probe after unbind/bind: same steps again, fresh rings.
        assertThat(driver.negotiate(ALL_FEATURES)).isNotEqualTo(-1);
        assertThat(driver.setConfigVector(0)).isTrue();
        DriverRing again = driver.setupQueue(0, 8, 0x20000, 1);
        driver.setupQueue(1, 8, 0x21000, 2);
        driver.enableQueue(0);
        driver.enableQueue(1);
        driver.driverOk();
        assertThat(echo.activations).hasValue(2);
        int head = again.add(List.of(new Buf(DATA, 4, false), new Buf(DATA + 0x100, 4, true)));
        driver.kick(0);
        assertThat(vector(1).awaitTrigger(5, TimeUnit.SECONDS)).isTrue();
        assertThat(again.awaitUsed(5000)).isEqualTo(new DriverRing.Used(head, 4));
    }

    @Test
    void aMalformedChainPutsTheDeviceInNeedsResetAndRaisesTheConfigInterrupt() throws Exception {
        DriverRing[] rings = bringUp(true);
        rings[0].writeDescriptor(0, DATA, 16, DriverRing.F_NEXT, 0); // loops onto itself
        rings[0].publish(0);
        driver.kick(0);

        assertThat(vector(0).awaitTrigger(5, TimeUnit.SECONDS)).as("config vector").isTrue();
        assertThat(driver.status() & DEVICE_NEEDS_RESET).isNotZero();
        assertThat(memory.refusedAccesses()).isZero();
        // Once, for the VM's event stream (DeviceContext.reportEvent).
        assertThat(context.events()).singleElement().asString().startsWith("needs-reset: ");

        driver.reset();
        assertThat(driver.status()).isZero();
        bringUpAgainAndEcho();
    }

    private void bringUpAgainAndEcho() throws Exception {
        driver.negotiate(ALL_FEATURES);
        assertThat(driver.setConfigVector(0)).isTrue();
        DriverRing r = driver.setupQueue(0, 16, 0x30000, 1);
        driver.setupQueue(1, 16, 0x31000, 2);
        driver.enableQueue(0);
        driver.enableQueue(1);
        driver.driverOk();
        r.add(List.of(new Buf(DATA, 4, false), new Buf(DATA + 0x100, 4, true)));
        driver.kick(0);
        assertThat(r.awaitUsed(5000)).isNotNull();
    }

    @Test
    void aWorkerThatThrowsPutsTheDeviceInNeedsReset() throws Exception {
        bringUp(true);
        echo.activation.startWorker("boom", () -> {
            throw new IllegalStateException("boom");
        });
        assertThat(vector(0).awaitTrigger(5, TimeUnit.SECONDS)).isTrue();
        assertThat(driver.status() & DEVICE_NEEDS_RESET).isNotZero();
    }

    /** Errors a worker can meet: the heap runs out, its stack does, a plugin's assert fails. */
    static List<Error> workerErrors() {
        return List.of(new OutOfMemoryError("Java heap space"), new StackOverflowError(), new AssertionError("plugin"));
    }

    @ParameterizedTest
    @MethodSource("workerErrors")
    void aWorkerThatDiesOfAnErrorResetsTheDeviceInsteadOfLeavingItHung(Error error) throws Exception {
        bringUp(true);
        Thread t = echo.activation.startWorker("boom", () -> {
            throw error;
        });
        t.join(5000);

        assertThat(vector(0).awaitTrigger(5, TimeUnit.SECONDS)).isTrue();
        assertThat(driver.status() & DEVICE_NEEDS_RESET).isNotZero();
        assertThat(context.uncaught()).as("handled, not lost in the thread").isEmpty();
        driver.reset();
        bringUpAgainAndEcho();
    }

    @Test
    void configChangedBumpsTheGenerationAndInterrupts() throws Exception {
        bringUp(true);
        long before = driver.common(0x15, 1);
        echo.activation.configChanged();
        assertThat(driver.common(0x15, 1)).isEqualTo(before + 1);
        assertThat(vector(0).awaitTrigger(5, TimeUnit.SECONDS)).isTrue();
    }

    // ---- queue setup through common config

    @Test
    void queueSizeMustBeAPowerOfTwoNotAboveTheMax() {
        driver.probe();
        driver.negotiate(ALL_FEATURES);
        driver.common(0x16, 2, 0);
        driver.common(0x18, 2, 12);
        assertThat(driver.common(0x18, 2)).isEqualTo(16);
        driver.common(0x18, 2, 32);
        assertThat(driver.common(0x18, 2)).isEqualTo(16);
        driver.common(0x18, 2, 4);
        assertThat(driver.common(0x18, 2)).isEqualTo(4);
    }

    @Test
    void aQueueThatDoesNotExistReadsSizeZero() {
        driver.probe();
        driver.common(0x16, 2, 5);
        assertThat(driver.common(0x18, 2)).isZero();
        assertThat(driver.common(0x1a, 2)).isEqualTo(NO_VECTOR);
    }

    @Test
    void enablingAQueueWhoseRingsAreNotGuestRamIsRefused() {
        driver.probe();
        driver.negotiate(ALL_FEATURES);
        driver.setupQueue(0, 16, memory.size() - 0x100, NO_VECTOR);
        driver.enableQueue(0);

        assertThat(driver.common(0x1c, 2)).isZero();
        assertThat(driver.status() & DEVICE_NEEDS_RESET).isNotZero();
        driver.driverOk();
        assertThat(driver.status() & DRIVER_OK).as("DRIVER_OK refused").isZero();
        assertThat(echo.activations).hasValue(0);
    }

    @Test
    void queueFieldsAreFrozenOnceTheQueueIsEnabled() {
        driver.probe();
        driver.negotiate(ALL_FEATURES);
        DriverRing r = driver.setupQueue(0, 8, 0x1000, NO_VECTOR);
        driver.enableQueue(0);
        driver.common(0x18, 2, 4);
        driver.common(0x20, 4, 0x9000);
        assertThat(driver.common(0x18, 2)).isEqualTo(8);
        assertThat(driver.common(0x20, 4)).isEqualTo(r.descTable());
    }

    @Test
    void aVectorBeyondTheTableReadsBackNoVector() {
        driver.probe();
        driver.enableMsix();
        assertThat(driver.setConfigVector(3)).isFalse();
        assertThat(driver.common(0x10, 2)).isEqualTo(NO_VECTOR);
    }

    @Test
    void theDeviceConfigSpaceIsReadAndWrittenThroughTheBar() {
        driver.probe();
        driver.write(0x4000 + 2, 2, 0xbeef);
        assertThat(driver.deviceConfig(0, 4)).isEqualTo(0xbeef0201L);
        assertThat(driver.deviceConfig(8, 4)).as("beyond the config size").isZero();
    }

    // ---- config space: BAR sizing and moving, the PCI_CFG window

    @Test
    void sizingTheBarMovesNothing() {
        long before = driver.bar().address();
        driver.probe();
        assertThat(driver.bar().address()).isEqualTo(before);
        assertThat(driver.config(0x10, 4) & 0xf).isEqualTo(0x4);
    }

    @Test
    void anAddressWhoseLowDwordLooksLikeTheSizeMaskIsAMoveNotAProbe() {
        // 0xFFF80000 is what the low dword reads while sized (512 KiB BAR), but written it is an address.
        long target = 0xfff8_0000L;
        PciDevice.BarReprogram high = driver.writeConfig(0x14, 4, 0);
        PciDevice.BarReprogram low = driver.writeConfig(0x10, 4, (int) target);

        assertThat(high != null ? high : low).isNotNull();
        assertThat(driver.bar().address()).isEqualTo(target);
        assertThat(driver.config(0x10, 4) & ~0xf).isEqualTo((int) target);
    }

    @Test
    void nothingMovesWhileEitherDwordIsBeingProbed() {
        long before = driver.bar().address();
        assertThat(driver.writeConfig(0x14, 4, -1)).isNull();
        assertThat(driver.writeConfig(0x10, 4, 0x1234_0000)).as("high dword still probed").isNull();
        assertThat(driver.writeConfig(0x10, 4, -1)).isNull();
        assertThat(driver.config(0x14, 4)).isEqualTo(-1);
        assertThat(driver.bar().address()).isEqualTo(before);
    }

    @Test
    void movingTheBarOfAnActiveDeviceMovesItsNotifyEventfds() throws Exception {
        DriverRing[] rings = bringUp(true);
        long target = 0x2_0000_0000L;
        PciDevice.BarReprogram low = driver.writeConfig(0x10, 4, (int) target);
        PciDevice.BarReprogram high = driver.writeConfig(0x14, 4, (int) (target >>> 32));

        assertThat(low != null ? low : high).isNotNull();
        assertThat(driver.bar().address()).isEqualTo(target);
        assertThat(driver.config(0x14, 4)).isEqualTo(2);
        assertThat(kvm.live().values()).extracting(RecordingIoEvents.Registration::address)
                .contains(target + 0x6000, target + 0x6004);

        int head = rings[0].add(List.of(new Buf(DATA, 4, false), new Buf(DATA + 0x100, 4, true)));
        driver.kick(0);
        assertThat(rings[0].awaitUsed(5000)).isEqualTo(new DriverRing.Used(head, 4));
    }

    @Test
    void thePciCfgWindowReachesTheBarThroughConfigSpace() {
        driver.probe();
        int cap = driver.caps.get(PCI_CFG).at();
        // 4.1.4.9: bar, offset (num_queues in common cfg), length, then read pci_cfg_data.
        driver.writeConfig(cap + 4, 1, 0);
        driver.writeConfig(cap + 8, 4, 0x12);
        driver.writeConfig(cap + 12, 4, 2);
        assertThat(driver.config(cap + 16, 2)).isEqualTo(2);

        driver.writeConfig(cap + 8, 4, 0x14);
        driver.writeConfig(cap + 12, 4, 1);
        driver.writeConfig(cap + 16, 1, ACKNOWLEDGE);
        assertThat(driver.status()).isEqualTo(ACKNOWLEDGE);
    }

    @Test
    void thePciCfgWindowIgnoresMisalignedOrOddLengths() {
        driver.probe();
        int cap = driver.caps.get(PCI_CFG).at();
        driver.writeConfig(cap + 8, 4, 0x13);
        driver.writeConfig(cap + 12, 4, 2);
        driver.writeConfig(cap + 16, 4, 0x1234);
        driver.writeConfig(cap + 8, 4, 0x14);
        driver.writeConfig(cap + 12, 4, 3);
        driver.writeConfig(cap + 16, 4, 0x1);
        assertThat(driver.status()).isZero();
    }

    @Test
    void closingTheVmStopsEverythingAndReleasesVectors() {
        bringUp(true);
        device.close();
        assertThat(context.threads()).allSatisfy(t -> assertThat(t.isAlive()).isFalse());
        assertThat(context.vectors()).allSatisfy(v -> assertThat(v.closed()).isTrue());
        assertThat(kvm.live()).isEmpty();
    }

    @Test
    void aBarOtherThanZeroIsIgnored() {
        driver.probe();
        byte[] data = {1};
        device.writeBar(new PciBar(2, 0, 4096, PciBar.Type.MMIO64, false), 0x14, data);
        assertThat(driver.status()).isZero();
    }
}
