package io.jvmm.virtio;

/**
 * The device half of a virtio device: what it offers (type, features, queues, config space)
 * and what it does once the driver has set it up. It never sees the transport: the PCI
 * registers, capabilities, MSI-X, ioeventfds and the split-ring layout all live in
 * {@link io.jvmm.virtio.pci.VirtioPciDevice}, which wraps a {@code VirtioDevice} and is what a
 * {@link io.jvmm.spi.DeviceFactory} returns.
 *
 * <h2>Lifecycle (virtio 1.2, 3.1 device initialization; 2.4 device reset)</h2>
 * <ol>
 *   <li>Constructed by the factory; only {@link #deviceType()}, {@link #deviceFeatures()},
 *       {@link #queueCount()}, {@link #queueMaxSize(int)}, {@link #configSize()},
 *       {@link #readConfig}/{@link #writeConfig} are called until activation.</li>
 *   <li>When the driver sets FEATURES_OK the transport checks the driver's features are a
 *       subset of what was offered (and include VIRTIO_F_VERSION_1), then asks
 *       {@link #acceptFeatures(long)}; {@code false} leaves FEATURES_OK clear.</li>
 *   <li>When the driver sets DRIVER_OK the transport validates every enabled queue against guest
 *       memory, registers one ioeventfd per queue, and calls {@link #activate(VirtioActivation)}
 *       exactly once. {@code activate} must not block: start workers with
 *       {@link VirtioActivation#startWorker} for anything that waits.</li>
 *   <li>When the driver writes status 0 (or the VM ends) the transport: (a) stops every queue:
 *       {@link VirtioQueue#awaitNotification()} returns {@code false}, {@link VirtioQueue#pop()}
 *       returns {@code null}, {@link VirtioQueue#addUsed}/{@link VirtioQueue#signalUsed()} do
 *       nothing; (b) calls {@link #reset()}; (c) joins every thread started through
 *       {@link VirtioActivation#startWorker} (bounded wait, a thread that does not stop is
 *       logged); (d) returns queues and MSI-X vectors to their reset values. After that the
 *       driver may negotiate again and {@link #activate} is called again with new queues.
 *       {@link #reset()} is also called when the device was never activated; it must then be a
 *       no-op.</li>
 *   <li>Pause (VM pause, before a snapshot): the transport quiesces the queues
 *       ({@link VirtioQueue#pop()} returns {@code null}, {@link VirtioQueue#stopped()} is
 *       {@code true}, but {@link VirtioQueue#addUsed} still works, so a request being served is
 *       completed) and joins the workers, without {@link #reset()}. Chains a worker took and had
 *       not used are taken again later. Resume (or restore) calls {@link #activate} again with
 *       queues that continue where those stopped. Devices must therefore complete chains in the
 *       order they took them from a queue.</li>
 *   <li>{@link #close()} once at VM end, after the final reset: release host resources
 *       (files, fds).</li>
 * </ol>
 *
 * <h2>Errors</h2>
 * Malformed descriptor chains (loops, too long, outside guest RAM, a writable descriptor
 * before a readable one, nested indirect tables, bad indirect length, a head made available
 * again before it was used, more than {@link io.jvmm.virtio.queue.ChainBudget} allows) never
 * reach the device:
 * {@link VirtioQueue#pop()} detects them, the transport sets DEVICE_NEEDS_RESET, raises the
 * config-change interrupt and stops the queues. A request that is well formed as a chain but
 * wrong for the device (e.g. too short for its header) is the device's to answer: read it with
 * {@link ChainReader}/{@link ChainWriter}, which throw {@link BadChainException}, and complete
 * it with the device's error status, or call {@link VirtioActivation#needsReset(String)}. An
 * exception escaping {@link #activate}, or anything escaping a worker (an Error included), is
 * logged and puts the device in DEVICE_NEEDS_RESET; the VMM keeps running. A device that copies
 * a chain through the Java heap does it in pieces of at most
 * {@link io.jvmm.virtio.queue.ChainBudget#COPY_PIECE} bytes, never the whole chain at once.
 *
 * <h2>Threads</h2>
 * Register accesses ({@link #readConfig}, {@link #writeConfig}) come from vCPU threads;
 * {@link #activate} and {@link #reset()} from a vCPU thread too (the one that wrote the
 * status). Each {@link VirtioQueue} is thread-safe; the usual shape is one worker per queue.
 *
 * <h2>Example</h2>
 * An entropy device (virtio 1.2, 5.4) offers one queue and no config space; in
 * {@code activate} it starts one worker that loops
 * {@code while (q.awaitNotification()) { DescriptorChain c; while ((c = q.pop()) != null)
 * { ChainWriter w = c.writer(); byte[] b = new byte[w.remaining()]; random.nextBytes(b);
 * w.write(b); q.addUsed(c, w.written()); } q.signalUsed(); }} with
 * {@code VirtioQueue q = activation.queue(0)}; {@code reset()} has nothing to do because the
 * transport stops the queue and joins the worker. Its factory returns
 * {@code new VirtioPciDevice(config.id(), new RngDevice(...), context)}. Batching
 * {@code signalUsed()} after draining the queue is what lets VIRTIO_F_EVENT_IDX and
 * VRING_AVAIL_F_NO_INTERRUPT suppress interrupts (2.7.7, 2.7.10); when {@code pop()} finds
 * the ring empty it re-arms avail_event first, so a worker that goes back to
 * {@code awaitNotification()} is always woken for the next buffer.
 */
public interface VirtioDevice extends AutoCloseable {
    /** The virtio device id (virtio 1.2, 5): {@link VirtioIds#NET}, {@link VirtioIds#BLOCK}, ... */
    int deviceType();

    /**
     * Device-specific feature bits offered to the driver (bits 0-23, and any bit of 50 and up
     * the device defines). The transport adds VIRTIO_F_VERSION_1, VIRTIO_F_RING_EVENT_IDX and
     * VIRTIO_F_RING_INDIRECT_DESC itself (see {@link VirtioFeatures}); transport bits set here
     * are offered too.
     */
    long deviceFeatures();

    /**
     * Called when the driver sets FEATURES_OK, with the features it acknowledged (already
     * checked to be a subset of the offer and to include VERSION_1). Return {@code false} to
     * refuse a combination the device cannot work with (virtio 1.2, 3.1.1 step 5).
     */
    default boolean acceptFeatures(long driverFeatures) {
        return true;
    }

    /** Number of virtqueues, fixed for the device's life (queue indices 0..count-1). */
    int queueCount();

    /** The largest size the driver may choose for queue {@code index}: a power of two ≤ 32768. */
    default int queueMaxSize(int index) {
        return 256;
    }

    /**
     * Size in bytes of the device-specific config space (at most 4096). The transport answers
     * reads beyond it with zeros and drops writes beyond it.
     */
    int configSize();

    /**
     * Reads {@code data.length} bytes (1, 2, 4 or 8) at {@code offset} of the device config
     * space, little-endian. The transport guarantees {@code offset + data.length <= configSize()}.
     */
    void readConfig(int offset, byte[] data);

    /** A driver write into the device config space; same bounds guarantee as {@link #readConfig}. */
    default void writeConfig(int offset, byte[] data) {
    }

    /**
     * The driver set DRIVER_OK: start serving the queues. Called once per activation, never
     * concurrently with {@link #reset()}.
     */
    void activate(VirtioActivation activation);

    /**
     * The driver reset the device (or the VM is ending). The queues are already stopped; stop
     * any host-side I/O the workers might block in (close a socket, interrupt a read), forget
     * everything negotiated, and return to the state after construction. The transport joins
     * the workers after this returns.
     */
    void reset();

    /**
     * Whether this device implements {@link #saveState()} and {@link #restoreState(byte[])}. A
     * VM with a virtio device that does not refuses to be snapshotted, naming it.
     */
    default boolean snapshottable() {
        return false;
    }

    /**
     * The device's own state for a snapshot (what it needs beyond the transport's: which image,
     * tap or file it serves and what the guest was told about it), as a versioned record. Called
     * while the VM is paused: the transport has already stopped this device's workers.
     */
    default byte[] saveState() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot be snapshotted");
    }

    /**
     * Checks a record made by {@link #saveState()} (untrusted: version, sizes, and that the host
     * resources this device was created with are still the ones the snapshot used) and takes it
     * over. Called on a freshly constructed device, before the transport restores its queues and,
     * if the driver had set DRIVER_OK, calls {@link #activate} again with queues that continue
     * where the saved ones stopped (no new negotiation: the guest does not know it was restored).
     *
     * @throws io.jvmm.spi.Snapshottable.StateException saying what does not match, in words for the user
     */
    default void restoreState(byte[] state) throws io.jvmm.spi.Snapshottable.StateException {
        throw new io.jvmm.spi.Snapshottable.StateException(getClass().getSimpleName() + " cannot be restored");
    }

    /** Releases host resources. Called once when the VM ends, after {@link #reset()}. */
    @Override
    default void close() {
    }
}
