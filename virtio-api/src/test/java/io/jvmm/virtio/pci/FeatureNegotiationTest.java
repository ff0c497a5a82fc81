package io.jvmm.virtio.pci;

import io.jvmm.virtio.VirtioFeatures;
import io.jvmm.testkit.ByteArrayGuestMemory;
import io.jvmm.testkit.ModernVirtioDriver;
import io.jvmm.testkit.TestBarAllocator;
import io.jvmm.testkit.TestDeviceContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.jvmm.testkit.ModernVirtioDriver.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Feature negotiation and the status state machine (virtio 1.2, 2.1, 2.2, 3.1.1). */
class FeatureNegotiationTest {
    private static final long VERSION_1 = VirtioFeatures.bit(VirtioFeatures.VERSION_1);

    private final ByteArrayGuestMemory memory = new ByteArrayGuestMemory(0x10_0000);
    private final TestDeviceContext context = new TestDeviceContext("echo0", memory);
    private final EchoDevice echo = new EchoDevice();
    private final VirtioPciDevice device = new VirtioPciDevice("echo0", echo, context);
    private final ModernVirtioDriver driver = new ModernVirtioDriver(device, context.recordingIoEvents(),
            new TestBarAllocator(), memory);

    @BeforeEach
    void probe() {
        driver.probe();
        driver.reset();
        driver.setStatus(ACKNOWLEDGE);
        driver.setStatus(DRIVER);
    }

    @AfterEach
    void close() {
        device.close();
    }

    private boolean featuresOk(long features) {
        driver.writeDriverFeatures(features);
        driver.setStatus(FEATURES_OK);
        return (driver.status() & FEATURES_OK) != 0;
    }

    @Test
    void acceptsASubsetOfTheOfferThatIncludesVersion1() {
        assertThat(featuresOk(VERSION_1 | 1)).isTrue();
    }

    @Test
    void refusesFeaturesThatWereNotOffered() {
        assertThat(featuresOk(VERSION_1 | 1L << 5)).isFalse();
    }

    @Test
    void refusesALegacyDriverWithoutVersion1() {
        assertThat(featuresOk(1)).isFalse();
    }

    @Test
    void refusesWhatTheDeviceCannotWorkWith() {
        echo.acceptFeatures = false;
        assertThat(featuresOk(VERSION_1)).isFalse();
    }

    @Test
    void featuresAreFrozenAfterFeaturesOk() {
        assertThat(featuresOk(VERSION_1)).isTrue();
        driver.writeDriverFeatures(VERSION_1 | 1);
        driver.common(0x08, 4, 0);
        assertThat(driver.common(0x0c, 4)).isZero();
    }

    @Test
    void aDriverFeatureSelectAboveOneIgnoresTheWriteEvenWhenNegative() {
        driver.writeDriverFeatures(VERSION_1);
        for (long select : new long[] {2, 0xffff_fffeL, 0x8000_0000L, 0xffff_ffffL}) {
            driver.common(0x08, 4, select);
            driver.common(0x0c, 4, 0xffff_ffffL);
        }
        driver.common(0x08, 4, 0);
        assertThat(driver.common(0x0c, 4)).isZero();
        driver.common(0x08, 4, 1);
        assertThat(driver.common(0x0c, 4)).isEqualTo(VERSION_1 >>> 32);
    }

    @Test
    void driverOkWithoutFeaturesOkDoesNotActivate() {
        driver.writeDriverFeatures(VERSION_1);
        driver.driverOk();
        assertThat(driver.status() & DRIVER_OK).isZero();
        assertThat(echo.activations).hasValue(0);
    }

    @Test
    void statusBitsAreTakenOnlyInOrder() {
        driver.reset();
        driver.setStatus(DRIVER);
        assertThat(driver.status()).as("DRIVER before ACKNOWLEDGE").isZero();
        driver.setStatus(ACKNOWLEDGE);
        driver.common(0x14, 1, ACKNOWLEDGE | FEATURES_OK);
        assertThat(driver.status()).as("FEATURES_OK before DRIVER").isEqualTo(ACKNOWLEDGE);
    }

    @Test
    void theDriverCannotClearBitsWithoutAReset() {
        assertThat(featuresOk(VERSION_1)).isTrue();
        driver.common(0x14, 1, ACKNOWLEDGE);
        assertThat(driver.status()).isEqualTo(ACKNOWLEDGE | DRIVER | FEATURES_OK);
    }

    @Test
    void theDriverCannotSetNeedsReset() {
        driver.setStatus(DEVICE_NEEDS_RESET);
        assertThat(driver.status() & DEVICE_NEEDS_RESET).isZero();
    }

    @Test
    void failedStopsAnActiveDeviceUntilReset() {
        assertThat(featuresOk(VERSION_1)).isTrue();
        driver.setupQueue(0, 16, 0x1000, NO_VECTOR);
        driver.enableQueue(0);
        driver.driverOk();
        assertThat(echo.activations).hasValue(1);

        driver.setStatus(FAILED);

        assertThat(echo.activation.queue(0).stopped()).isTrue();
        driver.reset();
        assertThat(driver.status()).isZero();
    }

    @Test
    void featureSelectAboveOneReadsZero() {
        driver.common(0x00, 4, 2);
        assertThat(driver.common(0x04, 4)).isZero();
    }
}
