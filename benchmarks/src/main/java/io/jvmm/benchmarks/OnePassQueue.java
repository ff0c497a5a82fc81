package io.jvmm.benchmarks;

import io.jvmm.spi.EventFd;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.VirtioQueue;
import io.jvmm.virtio.queue.SplitQueue;

/**
 * A real {@link SplitQueue} as a device worker sees it, except that the worker never sleeps:
 * {@link #awaitNotification()} says "stop" at once, so one call of a worker's {@code run()} serves
 * what the driver made available and returns to the benchmark. {@link #stopAfterUsedBytes} lets a
 * worker that polls {@link #stopped()} (virtio-net's receive worker) return once it has delivered
 * what the benchmark sent.
 */
public final class OnePassQueue implements VirtioQueue {
    private final SplitQueue queue;
    private long usedBytes;
    private long stopAt = Long.MAX_VALUE;

    public OnePassQueue(SplitQueue queue) {
        this.queue = queue;
    }

    /** {@link #stopped()} turns true once the device has used {@code bytes} more bytes than now. */
    public void stopAfterUsedBytes(long bytes) {
        stopAt = usedBytes + bytes;
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
        return false;
    }

    @Override
    public DescriptorChain pop() {
        return queue.pop();
    }

    @Override
    public void addUsed(DescriptorChain chain, int writtenBytes) {
        usedBytes += writtenBytes;
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
        if (queue.stopped()) {
            throw new IllegalStateException("the queue stopped: the benchmark's driver broke a ring rule");
        }
        return usedBytes >= stopAt;
    }
}
