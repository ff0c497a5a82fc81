package io.jvmm.virtio.pci;

import io.jvmm.testkit.ByteArrayGuestMemory;
import io.jvmm.testkit.DriverRing;
import io.jvmm.testkit.DriverRing.Buf;
import io.jvmm.testkit.ModernVirtioDriver;
import io.jvmm.testkit.RecordingMsiVector;
import io.jvmm.testkit.TestBarAllocator;
import io.jvmm.testkit.TestDeviceContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.jvmm.testkit.ModernVirtioDriver.MSIX_ADDRESS;
import static org.assertj.core.api.Assertions.assertThat;

/** MSI-X table, PBA, function and vector masking (PCI Local Bus 3.0, 6.8) seen through the BAR. */
class MsixTest {
    private static final long DATA = 0x10_0000;

    private final ByteArrayGuestMemory memory = new ByteArrayGuestMemory(0x40_0000);
    private final TestDeviceContext context = new TestDeviceContext("echo0", memory);
    private final EchoDevice echo = new EchoDevice();
    private final VirtioPciDevice device = new VirtioPciDevice("echo0", echo, context);
    private final ModernVirtioDriver driver = new ModernVirtioDriver(device, context.recordingIoEvents(),
            new TestBarAllocator(), memory);
    private DriverRing ring;

    @BeforeEach
    void bringUp() {
        driver.probe();
        driver.negotiate(-1L);
        driver.enableMsix();
        driver.setConfigVector(0);
        ring = driver.setupQueue(0, 16, 0x1000, 1);
        driver.setupQueue(1, 16, 0x2000, 2);
        driver.enableQueue(0);
        driver.enableQueue(1);
        driver.driverOk();
    }

    @AfterEach
    void close() {
        device.close();
    }

    private RecordingMsiVector vector(int entry) {
        return context.vectors().get(entry);
    }

    /** Completes one request on queue 0 and waits until the device has put it in the used ring. */
    private void completeOne() throws InterruptedException {
        ring.add(List.of(new Buf(DATA, 4, false), new Buf(DATA + 0x100, 4, true)));
        driver.kick(0);
        assertThat(ring.awaitUsed(5000)).isNotNull();
        Thread.sleep(20); // the worker signals right after publishing
    }

    @Test
    void theTableReadsBackWhatTheGuestWroteAndStartsMasked() {
        assertThat(driver.read(driver.msixTable + 16, 4)).isEqualTo((MSIX_ADDRESS | 1 << 12) & 0xffff_ffffL);
        assertThat(driver.read(driver.msixTable + 16 + 8, 4)).isEqualTo(0x4031);
        assertThat(driver.read(driver.msixTable + 16 + 12, 4)).isZero();

        TestDeviceContext fresh = new TestDeviceContext("x", memory);
        VirtioPciDevice other = new VirtioPciDevice("x", new EchoDevice(), fresh);
        ModernVirtioDriver d = new ModernVirtioDriver(other, fresh.recordingIoEvents(), new TestBarAllocator(), memory);
        d.probe();
        assertThat(d.read(d.msixTable + 12, 4)).as("6.8.2.9: masked at reset").isEqualTo(1);
        other.close();
    }

    @Test
    void routesFollowTableWrites() {
        assertThat(vector(1).route()).isEqualTo(
                new RecordingMsiVector.Route((MSIX_ADDRESS | 1 << 12) & 0xffff_ffffL, 0x4031, false));
        driver.maskVector(1, true);
        assertThat(vector(1).route().masked()).isTrue();
        driver.write(driver.msixTable + 16 + 8, 4, 0x4099);
        assertThat(vector(1).route().data()).isEqualTo(0x4099);
    }

    @Test
    void aMaskedVectorSetsItsPendingBitAndFiresOnUnmask() throws Exception {
        driver.maskVector(1, true);
        int before = vector(1).triggers();

        completeOne();

        assertThat(vector(1).triggers()).isEqualTo(before);
        assertThat(driver.pending(1)).isTrue();

        driver.maskVector(1, false);

        assertThat(vector(1).triggers()).isEqualTo(before + 1);
        assertThat(driver.pending(1)).isFalse();
    }

    @Test
    void theFunctionMaskHoldsEveryVector() throws Exception {
        driver.functionMask(true);
        int before = vector(1).triggers();

        completeOne();

        assertThat(vector(1).triggers()).isEqualTo(before);
        assertThat(driver.pending(1)).isTrue();
        assertThat(vector(1).route().masked()).isTrue();

        driver.functionMask(false);

        assertThat(vector(1).awaitTrigger(1, TimeUnit.SECONDS)).isTrue();
        assertThat(driver.pending(1)).isFalse();
    }

    @Test
    void unmaskingWithNothingPendingSendsNothing() {
        driver.maskVector(2, true);
        int before = vector(2).triggers();
        driver.maskVector(2, false);
        assertThat(vector(2).triggers()).isEqualTo(before);
    }

    @Test
    void aQueueWithoutAVectorGetsNoInterrupt() throws Exception {
        driver.common(0x16, 2, 0);
        // Vector changes after DRIVER_OK are allowed (Linux's vp_modern_queue_vector during teardown).
        driver.common(0x1a, 2, ModernVirtioDriver.NO_VECTOR);
        int[] before = context.vectors().stream().mapToInt(RecordingMsiVector::triggers).toArray();

        completeOne();

        assertThat(context.vectors().stream().mapToInt(RecordingMsiVector::triggers).toArray()).isEqualTo(before);
        assertThat(context.intxLine().assertions()).isZero();
    }

    @Test
    void thePbaIsReadOnly() throws Exception {
        driver.maskVector(1, true);
        completeOne();
        driver.write(driver.msixPba, 8, 0);
        assertThat(driver.pending(1)).isTrue();
    }

    @Test
    void disablingMsixSendsInterruptsThroughIntx() throws Exception {
        driver.writeConfig(driver.msixCap + 2, 2, 0);
        completeOne();
        assertThat(context.intxLine().awaitAsserted(1000)).isTrue();
        assertThat(driver.readIsr()).isEqualTo(1);
    }
}
