package io.jvmm.virtio;

import io.jvmm.spi.GuestMemory;
import java.util.List;

/**
 * What {@link VirtioDevice#activate} receives: the negotiated features, the queues the driver
 * set up, guest memory and a way back to the transport. Valid until the device is reset; a new
 * activation brings a new instance.
 */
public interface VirtioActivation {
    /** The device id, for thread names and messages. */
    String deviceId();

    /** The features the driver acknowledged (transport bits included). */
    long features();

    default boolean hasFeature(int bit) {
        return (features() & (1L << bit)) != 0;
    }

    /**
     * True when this activation continues an earlier one after a VM pause or a restore from a
     * snapshot: the driver negotiated nothing new and knows what it knew before, so a device
     * should not announce anything it announces to a newly started driver.
     */
    default boolean continued() {
        return false;
    }

    /** All {@link VirtioDevice#queueCount()} queues, by index; check {@link VirtioQueue#enabled()}. */
    List<VirtioQueue> queues();

    default VirtioQueue queue(int index) {
        return queues().get(index);
    }

    /** Bounds-checked guest RAM (the same memory the chains' readers and writers use). */
    GuestMemory guestMemory();

    /**
     * Starts a worker thread named after the device and {@code name}. The transport joins it
     * on reset after the queues are stopped and {@link VirtioDevice#reset()} has returned; an
     * uncaught exception or error is logged and puts the device in DEVICE_NEEDS_RESET.
     */
    Thread startWorker(String name, Runnable body);

    /**
     * The device config space changed: bump config_generation and send the config-change
     * interrupt (virtio 1.2, 4.1.4.3 / 4.1.5.2).
     */
    void configChanged();

    /**
     * The device hit an error it cannot recover from without a reset: set DEVICE_NEEDS_RESET,
     * stop the queues and send the config-change interrupt (virtio 1.2, 2.1.2). Safe from any
     * thread, idempotent.
     */
    void needsReset(String reason);
}
