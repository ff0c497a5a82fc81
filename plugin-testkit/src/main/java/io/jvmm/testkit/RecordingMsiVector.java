package io.jvmm.testkit;

import io.jvmm.spi.EventFd;
import io.jvmm.spi.MsiVector;

import java.util.concurrent.TimeUnit;

/** An MSI vector that remembers its route and counts deliveries; tests can wait for one. */
public final class RecordingMsiVector implements MsiVector {
    public record Route(long address, int data, boolean masked) { }

    private final TestEventFd eventFd = new TestEventFd();
    private Route route = new Route(0, 0, true);
    private int updates;
    private int triggers;
    private int consumed;
    private boolean closed;

    @Override
    public synchronized void update(long address, int data, boolean masked) {
        route = new Route(address, data, masked);
        updates++;
    }

    @Override
    public synchronized void trigger() {
        triggers++;
        notifyAll();
    }

    public synchronized Route route() {
        return route;
    }

    public synchronized int updates() {
        return updates;
    }

    public synchronized int triggers() {
        return triggers;
    }

    /** Waits for a delivery not yet consumed by an earlier call; false on timeout. */
    public synchronized boolean awaitTrigger(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (triggers <= consumed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        consumed = triggers;
        return true;
    }

    @Override
    public EventFd eventFd() {
        return eventFd;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    public synchronized boolean closed() {
        return closed;
    }
}
