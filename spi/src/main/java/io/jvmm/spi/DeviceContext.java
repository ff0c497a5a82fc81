package io.jvmm.spi;

import java.util.List;

/**
 * What the VMM offers a device: a narrow view, not the VMM itself. One context per device.
 */
public interface DeviceContext {
    /** This device's id. */
    String deviceId();

    /** Bounds-checked access to guest RAM. */
    GuestMemory guestMemory();

    /** The guest RAM regions, for devices that DMA-map all of guest RAM. */
    List<RamRegion> ramRegions();

    /** MSI/MSI-X and INTx delivery. */
    Interrupts interrupts();

    /** Doorbell eventfds. */
    IoEventRegistry ioEvents();

    /** Mapping host memory into the guest. */
    GuestMemoryMapper memoryMapper();

    /**
     * Starts a named worker thread for this device. The VMM names it after the device,
     * makes it a daemon and logs an uncaught exception instead of losing it.
     */
    Thread startWorker(String name, Runnable body);

    /** Tells the VMM the device has failed for good; the VM goes on without it. */
    void reportFailure(String reason, Throwable cause);
}
