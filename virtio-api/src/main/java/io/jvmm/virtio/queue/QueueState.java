package io.jvmm.virtio.queue;

import io.jvmm.spi.GuestMemory;

/**
 * A split virtqueue as plain data: what the driver configured through the transport and how
 * far the device has got. It comes from the guest (or a snapshot) and is untrusted: it becomes
 * a {@link SplitQueue} only through {@link SplitQueue#open}, which checks it ({@link #problem}).
 *
 * @param size      queue size chosen by the driver
 * @param ready     queue_enable as the driver wrote it
 * @param descTable guest address of the descriptor table
 * @param availRing guest address of the driver area (available ring)
 * @param usedRing  guest address of the device area (used ring)
 * @param nextAvail the next available-ring slot the device will read (free-running 16-bit)
 * @param nextUsed  the used index the device will publish next (free-running 16-bit)
 */
public record QueueState(int size, boolean ready, long descTable, long availRing, long usedRing, int nextAvail,
                         int nextUsed) {
    /** Largest split queue (virtio 1.2, 2.7: Queue Size up to 32768). */
    public static final int MAX_SIZE = 32768;

    /** The reset state for a queue whose maximum size is {@code maxSize} (4.1.4.3.2: queue_size reads the max). */
    public static QueueState reset(int maxSize) {
        return new QueueState(maxSize, false, 0, 0, 0, 0, 0);
    }

    public QueueState withSize(int newSize) {
        return new QueueState(newSize, ready, descTable, availRing, usedRing, nextAvail, nextUsed);
    }

    public QueueState withReady(boolean newReady) {
        return new QueueState(size, newReady, descTable, availRing, usedRing, nextAvail, nextUsed);
    }

    public QueueState withAddresses(long desc, long avail, long used) {
        return new QueueState(size, ready, desc, avail, used, nextAvail, nextUsed);
    }

    /** Bytes of the descriptor table, available ring and used ring (2.7: with the event fields). */
    public static long descTableBytes(int size) {
        return 16L * size;
    }

    public static long availRingBytes(int size) {
        return 6L + 2L * size;
    }

    public static long usedRingBytes(int size) {
        return 6L + 8L * size;
    }

    /**
     * Checks this state against the rules of virtio 1.2, 2.7 (size a power of two not above
     * {@code maxSize}; ring alignment 16/2/4; every ring entirely in guest RAM; indices 16-bit).
     *
     * @return null when usable, otherwise what is wrong
     */
    public String problem(int maxSize, GuestMemory memory) {
        if (size <= 0 || size > maxSize || size > MAX_SIZE || Integer.bitCount(size) != 1) {
            return "queue size " + size + " is not a power of two in 1.." + maxSize;
        }
        if (nextAvail < 0 || nextAvail > 0xffff || nextUsed < 0 || nextUsed > 0xffff) {
            return "ring index out of 16-bit range";
        }
        if (!ready) {
            return null;
        }
        if ((descTable & 15) != 0 || (availRing & 1) != 0 || (usedRing & 3) != 0) {
            return String.format("misaligned rings: desc 0x%x (16), avail 0x%x (2), used 0x%x (4)", descTable,
                    availRing, usedRing);
        }
        if (!memory.isValid(descTable, descTableBytes(size))) {
            return String.format("descriptor table [0x%x, +0x%x) is not guest RAM", descTable, descTableBytes(size));
        }
        if (!memory.isValid(availRing, availRingBytes(size))) {
            return String.format("available ring [0x%x, +0x%x) is not guest RAM", availRing, availRingBytes(size));
        }
        if (!memory.isValid(usedRing, usedRingBytes(size))) {
            return String.format("used ring [0x%x, +0x%x) is not guest RAM", usedRing, usedRingBytes(size));
        }
        return null;
    }
}
