package io.jvmm.virtio.pci;

import io.jvmm.spi.DeviceContext;
import io.jvmm.spi.EventFd;
import io.jvmm.spi.GuestMemory;
import io.jvmm.virtio.VirtioDevice;
import io.jvmm.virtio.VirtioFeatures;
import io.jvmm.virtio.queue.QueueState;
import io.jvmm.virtio.queue.SplitQueue;
import io.jvmm.virtio.pci.CommonConfig.Field;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport-independent half of a virtio function: feature negotiation, the status state
 * machine, queue configuration, activation at DRIVER_OK and reset (virtio 1.2, 2.1, 2.2, 3.1,
 * 4.1.4.3). The common config registers land here through {@link CommonConfig}.
 *
 * <p>Register accesses come from vCPU threads and are serialised on this object. Device
 * workers never take this lock: what they reach (status for DEVICE_NEEDS_RESET, the config
 * generation, interrupts) is atomic, which is what lets a reset join the workers while holding
 * it.
 */
final class VirtioTransport implements CommonConfig.Registers {
    private static final Logger log = LoggerFactory.getLogger(VirtioTransport.class);
    private static final Duration WORKER_PATIENCE = Duration.ofSeconds(5);

    private final VirtioDevice device;
    private final DeviceContext context;
    private final VirtioInterrupts interrupts;
    /** Guest address of the notify structure, following the BAR. */
    private final LongSupplier notifyBase;
    private final long offered;
    private final QueueState[] queues;
    private final AtomicInteger status = new AtomicInteger();
    private final AtomicInteger generation = new AtomicInteger();
    private int deviceFeatureSelect;
    private int driverFeatureSelect;
    private long driverFeatures;
    private int queueSelect;
    private volatile PciActivation activation;
    /**
     * While paused after stopping a live device: the used index each queue last interrupted for
     * ({@link #queues} then hold the queues' saved states); null otherwise.
     */
    private int[] suspendedSignalled;
    /** Why the paused queues' states cannot be trusted for a snapshot, or null. */
    private String suspendProblem;

    VirtioTransport(VirtioDevice device, DeviceContext context, VirtioInterrupts interrupts, LongSupplier notifyBase) {
        this.device = device;
        this.context = context;
        this.interrupts = interrupts;
        this.notifyBase = notifyBase;
        this.offered = device.deviceFeatures() | VirtioFeatures.TRANSPORT_OFFERED;
        this.queues = new QueueState[device.queueCount()];
        resetQueues();
    }

    private void resetQueues() {
        for (int i = 0; i < queues.length; i++) {
            queues[i] = QueueState.reset(device.queueMaxSize(i));
        }
    }

    int status() {
        return status.get();
    }

    long driverFeatures() {
        return driverFeatures;
    }

    synchronized void readCommon(long offset, byte[] data) {
        CommonConfig.read(this, offset, data);
    }

    synchronized void writeCommon(long offset, byte[] data) {
        CommonConfig.write(this, offset, data);
    }

    @Override
    public int read(Field field) {
        QueueState q = selectedQueue();
        return switch (field) {
            case DEVICE_FEATURE_SELECT -> deviceFeatureSelect;
            case DEVICE_FEATURE -> featureWord(offered, deviceFeatureSelect);
            case DRIVER_FEATURE_SELECT -> driverFeatureSelect;
            case DRIVER_FEATURE -> featureWord(driverFeatures, driverFeatureSelect);
            case CONFIG_MSIX_VECTOR -> interrupts.configVector();
            case NUM_QUEUES -> queues.length;
            case DEVICE_STATUS -> status.get();
            case CONFIG_GENERATION -> generation.get() & 0xff;
            case QUEUE_SELECT -> queueSelect;
            // 4.1.4.3.2: a queue that does not exist reads size 0.
            case QUEUE_SIZE -> q == null ? 0 : q.size();
            case QUEUE_MSIX_VECTOR -> q == null ? VirtioInterrupts.NO_VECTOR : interrupts.queueVector(queueSelect);
            case QUEUE_ENABLE -> q != null && q.ready() ? 1 : 0;
            case QUEUE_NOTIFY_OFF -> q == null ? 0 : queueSelect;
            case QUEUE_DESC_LO -> q == null ? 0 : (int) q.descTable();
            case QUEUE_DESC_HI -> q == null ? 0 : (int) (q.descTable() >>> 32);
            case QUEUE_DRIVER_LO -> q == null ? 0 : (int) q.availRing();
            case QUEUE_DRIVER_HI -> q == null ? 0 : (int) (q.availRing() >>> 32);
            case QUEUE_DEVICE_LO -> q == null ? 0 : (int) q.usedRing();
            case QUEUE_DEVICE_HI -> q == null ? 0 : (int) (q.usedRing() >>> 32);
        };
    }

    @Override
    public void write(Field field, int value) {
        switch (field) {
            case DEVICE_FEATURE_SELECT -> deviceFeatureSelect = value;
            case DRIVER_FEATURE_SELECT -> driverFeatureSelect = value;
            case DRIVER_FEATURE -> writeDriverFeatures(value);
            case CONFIG_MSIX_VECTOR -> interrupts.setConfigVector(value & 0xffff);
            case DEVICE_STATUS -> writeStatus(value & 0xff);
            case QUEUE_SELECT -> queueSelect = value & 0xffff;
            case QUEUE_SIZE -> writeQueueSize(value & 0xffff);
            case QUEUE_MSIX_VECTOR -> {
                if (selectedQueue() != null) {
                    interrupts.setQueueVector(queueSelect, value & 0xffff);
                }
            }
            case QUEUE_ENABLE -> writeQueueEnable(value & 0xffff);
            case QUEUE_DESC_LO, QUEUE_DESC_HI, QUEUE_DRIVER_LO, QUEUE_DRIVER_HI, QUEUE_DEVICE_LO, QUEUE_DEVICE_HI ->
                    writeQueueAddress(field, value);
            // Read-only: device_feature, num_queues, config_generation, queue_notify_off.
            default -> { }
        }
    }

    private static int featureWord(long features, int select) {
        return switch (select) {
            case 0 -> (int) features;
            case 1 -> (int) (features >>> 32);
            default -> 0;
        };
    }

    private void writeDriverFeatures(int value) {
        // 3.1.1: features are fixed once FEATURES_OK is set. The select is unsigned (4.1.4.3):
        // only words 0 and 1 exist, so 0x8000_0000 and up select nothing, as 2 does.
        if ((status.get() & DeviceStatus.FEATURES_OK) != 0 || Integer.compareUnsigned(driverFeatureSelect, 1) > 0) {
            return;
        }
        int shift = 32 * driverFeatureSelect;
        driverFeatures = driverFeatures & ~(0xffff_ffffL << shift) | (value & 0xffff_ffffL) << shift;
    }

    /** 3.1.1 step 5-6: the driver's features must be a subset of the offer and include VERSION_1. */
    String featureProblem() {
        long unknown = driverFeatures & ~offered;
        if (unknown != 0) {
            return String.format("driver acked features 0x%x that were not offered", unknown);
        }
        if ((driverFeatures & VirtioFeatures.bit(VirtioFeatures.VERSION_1)) == 0) {
            return "driver did not ack VIRTIO_F_VERSION_1 (legacy drivers are not supported)";
        }
        if (!device.acceptFeatures(driverFeatures)) {
            return String.format("device refused features 0x%x", driverFeatures);
        }
        return null;
    }

    private void writeStatus(int value) {
        if (value == 0) {
            reset();
            return;
        }
        int current = status.get();
        boolean acceptable = true;
        if ((value & ~current & DeviceStatus.FEATURES_OK) != 0) {
            String problem = featureProblem();
            if (problem != null) {
                log.warn(context.deviceId() + ": FEATURES_OK refused: " + problem);
                acceptable = false;
            }
        }
        int next = DeviceStatus.next(current, value, acceptable);
        int added = next & ~current;
        status.getAndUpdate(s -> s | added);
        if ((added & DeviceStatus.DRIVER_OK) != 0) {
            activate();
        } else if ((added & DeviceStatus.FAILED) != 0) {
            // 2.1: the driver gave up on the device; stop touching its memory until reset.
            PciActivation a = activation;
            if (a != null) {
                a.deactivate();
            }
        }
    }

    private QueueState selectedQueue() {
        return queueSelect < queues.length ? queues[queueSelect] : null;
    }

    /** Queue fields are the driver's only before it enables the queue and before DRIVER_OK (4.1.4.3.2). */
    private boolean queueWritable() {
        QueueState q = selectedQueue();
        return q != null && !q.ready() && (status.get() & DeviceStatus.DRIVER_OK) == 0;
    }

    private void writeQueueSize(int size) {
        if (!queueWritable()) {
            return;
        }
        // 2.7: a split queue's size is a power of two, up to the maximum the device reported.
        if (size == 0 || Integer.bitCount(size) != 1 || size > device.queueMaxSize(queueSelect)) {
            log.warn(context.deviceId() + ": queue " + queueSelect + " size " + size + " refused (max "
                    + device.queueMaxSize(queueSelect) + ")");
            return;
        }
        queues[queueSelect] = queues[queueSelect].withSize(size);
    }

    private void writeQueueAddress(Field field, int value) {
        if (!queueWritable()) {
            return;
        }
        QueueState q = queues[queueSelect];
        long desc = q.descTable();
        long avail = q.availRing();
        long used = q.usedRing();
        switch (field) {
            case QUEUE_DESC_LO -> desc = low(desc, value);
            case QUEUE_DESC_HI -> desc = high(desc, value);
            case QUEUE_DRIVER_LO -> avail = low(avail, value);
            case QUEUE_DRIVER_HI -> avail = high(avail, value);
            case QUEUE_DEVICE_LO -> used = low(used, value);
            default -> used = high(used, value);
        }
        queues[queueSelect] = q.withAddresses(desc, avail, used);
    }

    private static long low(long old, int value) {
        return old & 0xffff_ffff_0000_0000L | value & 0xffff_ffffL;
    }

    private static long high(long old, int value) {
        return old & 0xffff_ffffL | (long) value << 32;
    }

    private void writeQueueEnable(int value) {
        // 4.1.4.3.2: the driver MUST NOT write 0 to queue_enable; only 1 means anything.
        if (value != 1 || !queueWritable()) {
            return;
        }
        QueueState enabled = queues[queueSelect].withReady(true);
        String problem = enabled.problem(device.queueMaxSize(queueSelect), context.guestMemory());
        if (problem != null) {
            needsReset("queue " + queueSelect + " cannot be enabled: " + problem);
            return;
        }
        queues[queueSelect] = enabled;
    }

    private void activate() {
        start(null);
    }

    /**
     * Builds the queues from {@link #queues}, registers their ioeventfds and activates the
     * device. With {@code signalled} (resume or restore) the queues continue saved ones: their
     * interrupt state is taken over and each is kicked once, since the driver may have made
     * buffers available (and notified) while the device was not listening.
     */
    private void start(int[] signalled) {
        GuestMemory memory = context.guestMemory();
        boolean eventIdx = (driverFeatures & VirtioFeatures.bit(VirtioFeatures.RING_EVENT_IDX)) != 0;
        boolean indirect = (driverFeatures & VirtioFeatures.bit(VirtioFeatures.RING_INDIRECT_DESC)) != 0;
        List<EventFd> notifiers = new ArrayList<>();
        List<SplitQueue> built = new ArrayList<>();
        try {
            for (int i = 0; i < queues.length; i++) {
                EventFd fd = context.ioEvents().registerMmio(
                        notifyBase.getAsLong() + (long) i * BarLayout.NOTIFY_OFF_MULTIPLIER, 2, null);
                notifiers.add(fd);
                int index = i;
                int old = signalled != null ? signalled[i] : queues[i].nextUsed();
                built.add(SplitQueue.open(i, queues[i], device.queueMaxSize(i), old, memory, eventIdx, indirect, fd,
                        () -> interrupts.queue(index), this::needsReset));
            }
        } catch (RuntimeException e) {
            notifiers.forEach(context.ioEvents()::unregister);
            needsReset("activation failed: " + e.getMessage());
            return;
        }
        PciActivation a = new PciActivation(context, driverFeatures, built, notifiers, this::configChanged,
                this::needsReset, signalled != null);
        activation = a;
        try {
            device.activate(a);
            log.debug("{}: activated with features 0x{}", context.deviceId(), Long.toHexString(driverFeatures));
        } catch (RuntimeException e) {
            log.error(context.deviceId() + ": device failed to activate", e);
            needsReset("device failed to activate: " + e);
            return;
        }
        if (signalled != null) {
            a.kickAll();
        }
    }

    /** DRIVER_OK without DEVICE_NEEDS_RESET or FAILED: the device should be serving its queues. */
    private boolean running() {
        int s = status.get();
        return (s & DeviceStatus.DRIVER_OK) != 0 && (s & (DeviceStatus.DEVICE_NEEDS_RESET | DeviceStatus.FAILED)) == 0;
    }

    /**
     * VM pause: stop the device's workers at a request boundary without resetting anything the
     * driver set up. What they had taken and not completed is rewound into {@link #queues}, so
     * {@link #resume()} (or a restore of {@link #save}) takes it again.
     */
    synchronized void suspend() {
        PciActivation a = activation;
        if (a == null) {
            return;
        }
        activation = null;
        boolean clean = a.quiesce(WORKER_PATIENCE);
        List<SplitQueue> live = a.splitQueues();
        int[] signalled = new int[queues.length];
        String problem = clean ? null : "a worker did not stop within " + WORKER_PATIENCE;
        for (int i = 0; i < queues.length; i++) {
            SplitQueue q = live.get(i);
            queues[i] = q.state();
            signalled[i] = q.signalledUsed();
            if (q.completedOutOfOrder() && q.inFlight() > 0) {
                problem = "queue " + i + " completed requests out of order, so the ones in flight cannot be rewound";
            }
        }
        a.release(context.ioEvents(), WORKER_PATIENCE);
        suspendedSignalled = signalled;
        suspendProblem = problem;
        if (problem != null) {
            log.warn(context.deviceId() + ": paused, but cannot be snapshotted: " + problem);
        }
    }

    /** VM resume: start the workers again where {@link #suspend()} stopped them. */
    synchronized void resume() {
        int[] signalled = suspendedSignalled;
        suspendedSignalled = null;
        suspendProblem = null;
        if (signalled != null && running()) {
            start(signalled);
        }
    }

    /**
     * The transport's part of a snapshot (the caller adds config space, BAR and MSI-X table).
     *
     * @throws IllegalStateException when the device is live (not paused) or its paused state is unusable
     */
    synchronized VirtioPciState save(byte[] config, long barRegister, long barAddress, byte[] deviceState) {
        if (activation != null) {
            throw new IllegalStateException(context.deviceId() + ": snapshot of a virtio device that is not paused");
        }
        if (suspendProblem != null) {
            throw new IllegalStateException(context.deviceId() + ": " + suspendProblem);
        }
        List<VirtioPciState.Queue> saved = new ArrayList<>();
        for (int i = 0; i < queues.length; i++) {
            int signalled = suspendedSignalled != null ? suspendedSignalled[i] : queues[i].nextUsed();
            saved.add(new VirtioPciState.Queue(queues[i], signalled, interrupts.queueVector(i)));
        }
        MsixTable msix = interrupts.msix();
        return new VirtioPciState(config, barRegister, barAddress, msix.entries(), msix.pendingBits(), status.get(),
                generation.get(), deviceFeatureSelect, driverFeatureSelect, offered, driverFeatures, queueSelect,
                interrupts.configVector(), interrupts.isr(), saved, deviceState);
    }

    /** Checks the transport's part of {@code s} against this device and guest memory, changing nothing. */
    String restoreProblem(VirtioPciState s) {
        int[] maxSizes = new int[queues.length];
        for (int i = 0; i < maxSizes.length; i++) {
            maxSizes[i] = device.queueMaxSize(i);
        }
        return s.problem(offered, maxSizes, interrupts::validVector, interrupts.msix().size(), context.guestMemory());
    }

    /**
     * Takes over a state that passed {@link #restoreProblem}, after the caller restored config
     * space and the MSI-X table. A device the driver had running is activated again with its
     * queues where they stopped, workers started and ioeventfds registered: the guest does not
     * set anything up again.
     */
    synchronized void restore(VirtioPciState s, boolean intxDisabled) {
        if (activation != null || status.get() != 0) {
            reset();
        }
        deviceFeatureSelect = s.deviceFeatureSelect();
        driverFeatureSelect = s.driverFeatureSelect();
        driverFeatures = s.driverFeatures();
        queueSelect = s.queueSelect();
        int[] vectors = new int[queues.length];
        int[] signalled = new int[queues.length];
        for (int i = 0; i < queues.length; i++) {
            VirtioPciState.Queue q = s.queues().get(i);
            queues[i] = q.state();
            vectors[i] = q.vector();
            signalled[i] = q.signalledUsed();
        }
        interrupts.restore(s.configVector(), vectors, s.isr(), intxDisabled);
        generation.set(s.generation());
        status.set(s.status());
        if (running()) {
            start(signalled);
        }
    }

    /**
     * Status 0 (2.4): stop the queues, reset the device, join its workers, and go back to the
     * state after construction (queues, MSI-X vector mapping, features, ISR).
     */
    void reset() {
        PciActivation a = activation;
        activation = null;
        if (a != null) {
            a.deactivate();
        }
        try {
            device.reset();
        } catch (RuntimeException e) {
            log.error(context.deviceId() + ": device reset failed", e);
        }
        if (a != null) {
            a.release(context.ioEvents(), WORKER_PATIENCE);
        }
        suspendedSignalled = null;
        suspendProblem = null;
        resetQueues();
        interrupts.resetVectors();
        interrupts.readIsr();
        deviceFeatureSelect = 0;
        driverFeatureSelect = 0;
        driverFeatures = 0;
        queueSelect = 0;
        status.set(0);
    }

    /** The device config changed: new generation, config interrupt (4.1.4.3, 4.1.5.2). */
    void configChanged() {
        generation.incrementAndGet();
        if ((status.get() & DeviceStatus.DRIVER_OK) != 0) {
            interrupts.configChanged();
        }
    }

    /**
     * DEVICE_NEEDS_RESET (2.1.2): the queues stop, and a driver that has set DRIVER_OK gets a
     * config-change interrupt. Callable from any thread without this object's lock.
     */
    void needsReset(String reason) {
        int before = status.getAndUpdate(s -> s | DeviceStatus.DEVICE_NEEDS_RESET);
        if ((before & DeviceStatus.DEVICE_NEEDS_RESET) != 0) {
            return;
        }
        log.warn(context.deviceId() + ": device needs reset: " + reason);
        context.reportEvent("needs-reset", reason);
        PciActivation a = activation;
        if (a != null) {
            a.stopQueues();
        }
        if ((before & DeviceStatus.DRIVER_OK) != 0) {
            interrupts.configChanged();
        }
    }

    /** A write to queue {@code queue}'s notify address that reached the MMIO exit path. */
    void kick(int queue) {
        PciActivation a = activation;
        if (a != null) {
            a.kick(queue);
        }
    }

    /** The BAR moved: re-register the notify eventfds of an active device at their new addresses. */
    synchronized void notifyBaseMoved() {
        PciActivation a = activation;
        if (a != null) {
            try {
                a.moveNotifiers(context.ioEvents(), notifyBase.getAsLong());
            } catch (RuntimeException e) {
                needsReset("cannot move the notify eventfds with the BAR: " + e.getMessage());
            }
        }
    }

    /** The VM is ending. */
    synchronized void close() {
        reset();
    }
}
