package io.jvmm.virtio;

import io.jvmm.spi.EventFd;

/**
 * One virtqueue as a device uses it after activation: take chains the driver made available,
 * give them back as used, and tell the driver. The split-ring layout, memory ordering and
 * notification suppression are handled here (virtio 1.2, 2.7).
 *
 * <p>Thread-safe: every method may be called from any thread, though one worker per queue is
 * the usual shape. Once the transport stops the queue (driver reset, DEVICE_NEEDS_RESET, VM
 * end) {@link #pop()} returns {@code null}, {@link #addUsed} and {@link #signalUsed()} do
 * nothing and {@link #awaitNotification()} returns {@code false}: the worker should return.
 */
public interface VirtioQueue {
    /** This queue's index within the device. */
    int index();

    /** The queue size the driver chose (a power of two). */
    int size();

    /**
     * Whether the driver enabled this queue (queue_enable = 1). A disabled queue never has
     * chains; its {@link #awaitNotification()} blocks until the queue is stopped.
     */
    boolean enabled();

    /**
     * Blocks until the driver notifies this queue (a write to its notify address, through the
     * ioeventfd or the MMIO exit path). Notifications that arrive while the device is busy are
     * coalesced into one wake-up.
     *
     * @return {@code true} after a notification; {@code false} when the queue has been stopped
     *         and the caller should stop serving it
     */
    boolean awaitNotification();

    /**
     * The next available descriptor chain, validated, or {@code null} when the driver has made
     * no more available (or the queue is stopped, or the chain was malformed and the device is
     * now in DEVICE_NEEDS_RESET). With VIRTIO_F_EVENT_IDX, finding the ring empty re-arms
     * avail_event so the driver notifies for the next buffer, then checks once more.
     */
    DescriptorChain pop();

    /**
     * Returns {@code chain} to the driver through the used ring (2.7.8) with
     * {@code writtenBytes} = how many bytes the device wrote into its writable buffers (clamped
     * to {@link DescriptorChain#writableBytes()}). The used index is published with release
     * ordering; no interrupt is sent until {@link #signalUsed()}.
     */
    void addUsed(DescriptorChain chain, int writtenBytes);

    /**
     * Interrupts the driver (MSI-X vector of this queue, or INTx with ISR bit 0) if anything was
     * added to the used ring since the last signal and the driver wants to know: honours
     * used_event with VIRTIO_F_EVENT_IDX (2.7.10) and VRING_AVAIL_F_NO_INTERRUPT without it.
     */
    void signalUsed();

    /** {@link #addUsed} then {@link #signalUsed()}, for devices that complete one at a time. */
    default void complete(DescriptorChain chain, int writtenBytes) {
        addUsed(chain, writtenBytes);
        signalUsed();
    }

    /**
     * The eventfd the driver's notifications signal, for devices that wait on several sources
     * (e.g. with a poll loop). Reading it consumes the notification {@link #awaitNotification()}
     * would have returned; the transport writes it on stop so waiters wake up.
     */
    EventFd notifier();

    /** Whether {@link #awaitNotification()} would now return {@code false}. */
    boolean stopped();
}
