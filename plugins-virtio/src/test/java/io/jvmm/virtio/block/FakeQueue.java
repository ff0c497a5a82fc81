package io.jvmm.virtio.block;

import io.jvmm.spi.EventFd;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.VirtioQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A virtqueue stand-in for device tests: the test makes chains available with {@link #offer},
 * which also notifies; {@link #awaitUsed} waits for the device to give them back.
 */
public final class FakeQueue implements VirtioQueue {
    /** One used-ring entry. */
    public record Used(DescriptorChain chain, int written) {
    }

    private final int index;
    private final int size;
    private final EventFd notifier;
    private final Deque<DescriptorChain> avail = new ArrayDeque<>();
    private final List<Used> used = new ArrayList<>();
    private int notifications;
    private boolean stopped;
    public int signals;

    public FakeQueue(int index, int size) {
        this(index, size, null);
    }

    /** With {@code notifier}, {@link #offer} and {@link #stop} also signal it, as the ioeventfd would. */
    public FakeQueue(int index, int size, EventFd notifier) {
        this.index = index;
        this.size = size;
        this.notifier = notifier;
    }

    public synchronized void offer(DescriptorChain... chains) {
        avail.addAll(List.of(chains));
        notifications++;
        notifyAll();
        if (notifier != null) {
            notifier.write(1);
        }
    }

    /** Waits until {@code n} chains are used and returns them in completion order. */
    public synchronized List<Used> awaitUsed(int n, long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (used.size() < n) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("only " + used.size() + " of " + n + " chains used");
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return List.copyOf(used);
    }

    public synchronized int availCount() {
        return avail.size();
    }

    public synchronized void stop() {
        stopped = true;
        notifyAll();
        if (notifier != null) {
            notifier.write(1);
        }
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public synchronized boolean awaitNotification() {
        while (notifications == 0 && !stopped) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        notifications = 0;
        return !stopped;
    }

    @Override
    public synchronized DescriptorChain pop() {
        return stopped ? null : avail.poll();
    }

    @Override
    public synchronized void addUsed(DescriptorChain chain, int writtenBytes) {
        if (!stopped) {
            used.add(new Used(chain, (int) Math.min(writtenBytes, chain.writableBytes())));
            notifyAll();
        }
    }

    @Override
    public synchronized void signalUsed() {
        signals++;
        notifyAll();
    }

    /**
     * Waits up to {@code timeoutMs} for {@code n} signals and returns how many came: a device
     * adds a used chain and then signals, so a test that saw the chain may still be ahead of the
     * signal.
     */
    public synchronized int awaitSignals(int n, long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (signals < n) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return signals;
    }

    @Override
    public EventFd notifier() {
        if (notifier == null) {
            throw new UnsupportedOperationException("this FakeQueue has no eventfd");
        }
        return notifier;
    }

    @Override
    public synchronized boolean stopped() {
        return stopped;
    }
}
