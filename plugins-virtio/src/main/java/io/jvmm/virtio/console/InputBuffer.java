package io.jvmm.virtio.console;

import java.util.concurrent.TimeUnit;

/**
 * Host input waiting for the guest's receive buffers: a bounded byte FIFO between a backend's
 * reader thread (which blocks when it is full, so a fast sender is held back rather than
 * losing bytes) and the receive worker. Kept across driver resets, like a UART's FIFO.
 */
final class InputBuffer {
    static final int CAPACITY = 64 * 1024;

    private final byte[] ring = new byte[CAPACITY];
    private int head;
    private int size;
    private boolean closed;

    /** Adds all of {@code data}, waiting for room; returns false if the buffer was closed. */
    synchronized boolean put(byte[] data, int offset, int length) throws InterruptedException {
        int done = 0;
        while (done < length) {
            while (size == CAPACITY && !closed) {
                wait();
            }
            if (closed) {
                return false;
            }
            int n = Math.min(length - done, CAPACITY - size);
            for (int i = 0; i < n; i++) {
                ring[(head + size + i) % CAPACITY] = data[offset + done + i];
            }
            size += n;
            done += n;
            notifyAll();
        }
        return true;
    }

    /** Waits up to {@code timeoutMs} for input; true when there is some. */
    synchronized boolean await(long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (size == 0 && !closed) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return size > 0;
    }

    /** Removes and returns up to {@code max} bytes (possibly none). */
    synchronized byte[] take(int max) {
        int n = Math.min(max, size);
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = ring[(head + i) % CAPACITY];
        }
        head = (head + n) % CAPACITY;
        size -= n;
        notifyAll();
        return out;
    }

    synchronized int available() {
        return size;
    }

    /** Wakes everyone; later puts are refused. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }
}
