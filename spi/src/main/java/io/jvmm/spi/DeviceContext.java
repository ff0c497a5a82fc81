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
     * Starts a named worker thread for this device. The VMM names it after the device and makes
     * it a daemon. An exception or error the body does not catch ends the VM with a message
     * naming the thread (exit code 1): the VMM cannot reset a device it does not know, and a
     * guest waiting on a dead worker would hang. A device that can go on without the worker
     * catches what it can recover from itself, or calls {@link #reportFailure}.
     */
    Thread startWorker(String name, Runnable body);

    /**
     * Tells KVM about a VFIO group (the KVM-VFIO pseudo device, KVM_DEV_VFIO_GROUP_ADD) so it can
     * keep coherent DMA and interrupt bypass right.
     *
     * @return false when this host's KVM has no KVM-VFIO device (KVM_CAP_DEVICE_CTRL is 0, as in
     *         the nested test host): passthrough still works, as in QEMU, which only warns
     */
    boolean addVfioGroup(int groupFd);

    /**
     * Whether the device is being created to take over state from a snapshot ({@code jvmm
     * restore}) rather than for a fresh boot: it should then re-open its host resources without
     * starting them afresh (append to an output file instead of truncating it, for one). Its
     * {@link Snapshottable#restoreState} follows. Added in SPI version 1 without changing it: a
     * VMM without it never restores.
     */
    default boolean restoring() {
        return false;
    }

    /** Tells the VMM the device has failed for good; the VM goes on without it. */
    void reportFailure(String reason, Throwable cause);

    /**
     * Tells the VM's users something this device saw that they should hear of, such as the
     * guest's report of a kernel panic ({@code guest-panicked}) or a device that stopped until
     * the driver resets it ({@code needs-reset}). jvmm logs it and puts it on the VM's event
     * stream ({@code GET /api/v1/vm/events}) as
     * {@code {"type":"device","device":ID,"event":EVENT,"detail":DETAIL}}. Never blocks; any
     * thread may call it, a vCPU's too. Added in SPI 3.
     *
     * @param event  a short lowercase name, words joined by '-'
     * @param detail one sentence for a human
     */
    default void reportEvent(String event, String detail) {
    }
}
