package io.jvmm.devices.legacy;

/** A fixed-capacity FIFO of bytes (a ring buffer). Not thread-safe: its owner locks. */
final class ByteRing {
    private final byte[] buffer;
    private int head;
    private int count;

    ByteRing(int capacity) {
        buffer = new byte[capacity];
    }

    int capacity() {
        return buffer.length;
    }

    int size() {
        return count;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Appends {@code value}; returns false (and drops it) when full. */
    boolean offer(int value) {
        if (count == buffer.length) {
            return false;
        }
        buffer[(head + count) % buffer.length] = (byte) value;
        count++;
        return true;
    }

    /** Removes and returns the oldest byte (0-255); the ring must not be empty. */
    int poll() {
        if (count == 0) {
            throw new IllegalStateException("empty");
        }
        int value = buffer[head] & 0xff;
        head = (head + 1) % buffer.length;
        count--;
        return value;
    }

    void clear() {
        head = 0;
        count = 0;
    }

    /** The contents, oldest first. */
    byte[] toArray() {
        byte[] out = new byte[count];
        for (int i = 0; i < count; i++) {
            out[i] = buffer[(head + i) % buffer.length];
        }
        return out;
    }
}
