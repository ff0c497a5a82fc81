package io.jvmm.virtio.block;

import io.jvmm.spi.GuestMemory;
import io.jvmm.virtio.VirtioActivation;
import io.jvmm.virtio.VirtioQueue;
import java.util.ArrayList;
import java.util.List;

/** An activation over {@link FakeQueue}s; records config changes, reset requests and workers. */
public final class FakeActivation implements VirtioActivation {
    private final long features;
    private final List<VirtioQueue> queues;
    private final GuestMemory memory;
    public final List<Thread> workers = new ArrayList<>();
    public volatile int configChanges;
    public volatile String needsReset;

    public FakeActivation(long features, GuestMemory memory, VirtioQueue... queues) {
        this.features = features;
        this.memory = memory;
        this.queues = List.of(queues);
    }

    @Override
    public String deviceId() {
        return "test0";
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
    public synchronized Thread startWorker(String name, Runnable body) {
        Thread t = new Thread(body, "test0-" + name);
        t.setDaemon(true);
        workers.add(t);
        t.start();
        return t;
    }

    @Override
    public void configChanged() {
        configChanges++;
    }

    @Override
    public void needsReset(String reason) {
        needsReset = reason;
    }

    /** Stops every fake queue and joins the workers, as the transport does on reset. */
    public void stopAndJoin() throws InterruptedException {
        for (VirtioQueue q : queues) {
            if (q instanceof FakeQueue f) {
                f.stop();
            }
        }
        List<Thread> copy;
        synchronized (this) {
            copy = List.copyOf(workers);
        }
        for (Thread t : copy) {
            t.join(5000);
        }
    }
}
