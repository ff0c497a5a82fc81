package io.jvmm.virtio.testutil;

import io.jvmm.testkit.TestEventFd;

import io.jvmm.spi.EventFd;
import io.jvmm.spi.GuestMemory;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.VirtioActivation;
import io.jvmm.virtio.VirtioFeatures;
import io.jvmm.virtio.VirtioQueue;
import io.jvmm.virtio.queue.QueueState;
import io.jvmm.virtio.queue.SplitQueue;

import java.util.ArrayList;
import java.util.List;

/**
 * An activation for fuzz targets: real {@link SplitQueue}s over the given rings, and workers
 * run in the caller's thread, so a device's whole request path runs (and fails) inside one
 * fuzz input. Each queue is notified once: a worker serves what the driver made available
 * and then is told to stop ({@link VirtioQueue#awaitNotification()} false), as after a reset.
 */
public final class SyncActivation implements VirtioActivation {
    private final long features;
    private final GuestMemory memory;
    private final List<VirtioQueue> queues = new ArrayList<>();
    private final List<SplitQueue> splits = new ArrayList<>();
    public final List<String> malformed = new ArrayList<>();
    public String needsReset;
    public int configChanges;

    /** {@code features}: the device's negotiated bits; EVENT_IDX and INDIRECT_DESC there apply to the rings. */
    public SyncActivation(long features, GuestMemory memory, List<QueueState> states) {
        this.features = features | 1L << VirtioFeatures.VERSION_1;
        this.memory = memory;
        for (int i = 0; i < states.size(); i++) {
            SplitQueue q = SplitQueue.open(i, states.get(i), QueueState.MAX_SIZE, states.get(i).nextUsed(), memory,
                    hasFeature(VirtioFeatures.RING_EVENT_IDX), hasFeature(VirtioFeatures.RING_INDIRECT_DESC),
                    new TestEventFd(), () -> { }, malformed::add);
            splits.add(q);
            queues.add(new OneNotification(q));
        }
    }

    @Override
    public String deviceId() {
        return "fuzz0";
    }

    @Override
    public long features() {
        return features;
    }

    @Override
    public List<VirtioQueue> queues() {
        return queues;
    }

    @Override
    public GuestMemory guestMemory() {
        return memory;
    }

    /** Runs {@code body} now, in this thread: whatever it throws is the fuzz target's finding. */
    @Override
    public Thread startWorker(String name, Runnable body) {
        body.run();
        return Thread.currentThread();
    }

    @Override
    public void configChanged() {
        configChanges++;
    }

    @Override
    public void needsReset(String reason) {
        needsReset = reason;
        splits.forEach(SplitQueue::stop);
    }

    /**
     * A queue notified once: the first wait returns at once, the next says "stopped". A
     * worker that polls {@link #stopped()} instead of waiting gets a bounded number of looks.
     */
    private static final class OneNotification implements VirtioQueue {
        private static final int LOOKS = 1000;
        private final SplitQueue queue;
        private int notifications = 1;
        private int looks;

        OneNotification(SplitQueue queue) {
            this.queue = queue;
        }

        @Override
        public int index() {
            return queue.index();
        }

        @Override
        public int size() {
            return queue.size();
        }

        @Override
        public boolean enabled() {
            return queue.enabled();
        }

        @Override
        public boolean awaitNotification() {
            return notifications-- > 0 && !queue.stopped();
        }

        @Override
        public DescriptorChain pop() {
            return queue.pop();
        }

        @Override
        public void addUsed(DescriptorChain chain, int writtenBytes) {
            queue.addUsed(chain, writtenBytes);
        }

        @Override
        public void signalUsed() {
            queue.signalUsed();
        }

        @Override
        public EventFd notifier() {
            return queue.notifier();
        }

        @Override
        public boolean stopped() {
            return queue.stopped() || notifications < 0 || ++looks > LOOKS;
        }
    }
}
