package io.jvmm.virtio.pci;

import io.jvmm.spi.DeviceContext;
import io.jvmm.spi.EventFd;
import io.jvmm.spi.GuestMemory;
import io.jvmm.spi.IoEventRegistry;
import io.jvmm.virtio.VirtioActivation;
import io.jvmm.virtio.VirtioQueue;
import io.jvmm.virtio.queue.SplitQueue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One activation of a device: from DRIVER_OK to the next reset. Owns the queues, their
 * notification eventfds and the workers the device started, and takes them all down again.
 */
final class PciActivation implements VirtioActivation {
    private static final Logger log = LoggerFactory.getLogger(PciActivation.class);

    private final DeviceContext context;
    private final long features;
    private final List<SplitQueue> queues;
    private final List<EventFd> notifiers;
    private final List<EventFd> retired = new ArrayList<>();
    private final List<Thread> workers = new CopyOnWriteArrayList<>();
    private final Runnable configChanged;
    private final Consumer<String> needsReset;
    private final boolean continued;
    private volatile boolean live = true;

    PciActivation(DeviceContext context, long features, List<SplitQueue> queues, List<EventFd> notifiers,
                  Runnable configChanged, Consumer<String> needsReset, boolean continued) {
        this.continued = continued;
        this.context = context;
        this.features = features;
        this.queues = List.copyOf(queues);
        this.notifiers = new ArrayList<>(notifiers);
        this.configChanged = configChanged;
        this.needsReset = needsReset;
    }

    @Override
    public String deviceId() {
        return context.deviceId();
    }

    @Override
    public boolean continued() {
        return continued;
    }

    @Override
    public long features() {
        return features;
    }

    @Override
    public List<VirtioQueue> queues() {
        return List.copyOf(queues);
    }

    @Override
    public GuestMemory guestMemory() {
        return context.guestMemory();
    }

    /**
     * Runs {@code body} on a VMM worker thread. Whatever escapes it, an Error included (the heap
     * or the stack ran out, a plugin's assertion failed), resets the device rather than leaving
     * the guest waiting on a queue nobody serves: the worker's own memory is gone with it, and
     * the driver gets DEVICE_NEEDS_RESET (virtio 1.2, 2.1.2). Should even that fail, the VMM's
     * handler for the thread ends the VM.
     */
    @Override
    public Thread startWorker(String name, Runnable body) {
        Thread t = context.startWorker(name, () -> {
            try {
                body.run();
            } catch (Throwable e) {
                // Reset first: logging a stack trace needs heap the worker may have used up.
                needsReset("worker " + name + " failed: " + e);
                log.error(deviceId() + ": worker " + name + " failed", e);
            }
        });
        workers.add(t);
        return t;
    }

    @Override
    public void configChanged() {
        if (live) {
            configChanged.run();
        }
    }

    @Override
    public void needsReset(String reason) {
        if (live) {
            needsReset.accept(reason);
        }
    }

    /** A notify write that came through the MMIO exit path. */
    void kick(int queue) {
        if (queue >= 0 && queue < queues.size()) {
            queues.get(queue).kick();
        }
    }

    /** Stops every queue (waking their workers). Safe to repeat, from any thread. */
    void stopQueues() {
        queues.forEach(SplitQueue::stop);
    }

    /**
     * The BAR moved: notifications now arrive on eventfds registered at the new addresses. The
     * old registrations stay until {@link #release} (a worker may still be reading one).
     */
    synchronized void moveNotifiers(IoEventRegistry ioEvents, long notifyBase) {
        for (int i = 0; i < queues.size(); i++) {
            EventFd fresh = ioEvents.registerMmio(notifyBase + (long) i * BarLayout.NOTIFY_OFF_MULTIPLIER, 2, null);
            retired.add(queues.get(i).replaceNotifier(fresh));
            notifiers.set(i, fresh);
        }
    }

    /** Ends this activation: queues stop, then the caller resets the device, then {@link #release}. */
    void deactivate() {
        live = false;
        stopQueues();
    }

    /**
     * Pause (virtio has no pause of its own): the queues hand out no more chains, the workers
     * leave, interrupts for what they completed on the way out are sent, and this activation
     * is over. Chains the workers still held are rewound in {@link SplitQueue#state()}; the
     * caller then {@link #release}s the ioeventfds and later starts a new activation from the
     * queues' states.
     *
     * @return false when a worker did not stop within {@code patience} (it may still touch
     *         guest memory, so the queues' states cannot be trusted)
     */
    boolean quiesce(Duration patience) {
        queues.forEach(SplitQueue::quiesce);
        boolean joined = joinWorkers(patience);
        queues.forEach(SplitQueue::signalUsed);
        live = false;
        return joined;
    }

    /** The queues of this activation, for saving their state after {@link #quiesce}. */
    List<SplitQueue> splitQueues() {
        return queues;
    }

    /**
     * One notification on every enabled queue: after a restore or resume, buffers the driver
     * made available (and notified about) while the device was paused get served.
     */
    void kickAll() {
        for (SplitQueue q : queues) {
            if (q.enabled()) {
                q.kick();
            }
        }
    }

    private boolean joinWorkers(Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        boolean all = true;
        for (Thread t : workers) {
            if (t == Thread.currentThread()) {
                continue;
            }
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                all = false;
                log.warn(deviceId() + ": worker " + t.getName() + " did not stop within " + patience);
            }
        }
        return all;
    }

    /** Waits for the workers, then drops the ioeventfds. */
    synchronized void release(IoEventRegistry ioEvents, Duration patience) {
        joinWorkers(patience);
        for (EventFd fd : notifiers) {
            ioEvents.unregister(fd);
        }
        for (EventFd fd : retired) {
            ioEvents.unregister(fd);
        }
        notifiers.clear();
        retired.clear();
    }
}
