package io.jvmm.testkit;

import io.jvmm.spi.EventFd;

/** An eventfd counter in Java: {@link #read()} blocks until it is non-zero. */
public final class TestEventFd implements EventFd {
    private long counter;
    private boolean closed;
    private int writes;

    @Override
    public int fd() {
        return -1;
    }

    @Override
    public synchronized void write(long value) {
        counter += value;
        writes++;
        notifyAll();
    }

    @Override
    public synchronized long read() {
        while (counter == 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        long v = counter;
        counter = 0;
        return v;
    }

    public synchronized int writes() {
        return writes;
    }

    public synchronized boolean closed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
