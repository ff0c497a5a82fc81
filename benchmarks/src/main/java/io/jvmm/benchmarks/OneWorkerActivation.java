package io.jvmm.benchmarks;

import io.jvmm.spi.GuestMemory;
import io.jvmm.virtio.VirtioActivation;
import io.jvmm.virtio.VirtioFeatures;
import io.jvmm.virtio.VirtioQueue;
import java.util.List;

/**
 * An activation with one queue whose worker is kept, not started: the benchmark calls
 * {@link #worker()}'s {@code run()} once per invocation, so the device's own serving loop (with
 * the request handler it made at activation) runs in the benchmark's thread, without thread
 * wake-ups. Anything that asks for a reset fails the benchmark.
 */
public final class OneWorkerActivation implements VirtioActivation {
    private final long features;
    private final GuestMemory memory;
    private final List<VirtioQueue> queues;
    private Runnable worker;

    public OneWorkerActivation(long features, GuestMemory memory, VirtioQueue queue) {
        this.features = features | 1L << VirtioFeatures.VERSION_1;
        this.memory = memory;
        this.queues = List.of(queue);
    }

    public Runnable worker() {
        if (worker == null) {
            throw new IllegalStateException("the device started no worker");
        }
        return worker;
    }

    @Override
    public String deviceId() {
        return "bench0";
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

    @Override
    public Thread startWorker(String name, Runnable body) {
        if (worker != null) {
            throw new IllegalStateException("a second worker: " + name);
        }
        worker = body;
        return Thread.currentThread();
    }

    @Override
    public void configChanged() {
    }

    @Override
    public void needsReset(String reason) {
        throw new IllegalStateException("device needs reset: " + reason);
    }
}
