package io.jvmm.virtio;

import io.jvmm.spi.GuestMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A descriptor chain taken from a virtqueue by {@link VirtioQueue#pop()}, with indirect
 * tables already flattened (virtio 1.2, 2.7.5). The chain was validated when popped: its
 * buffers lie in guest RAM, all readable buffers come before all writable ones, and it is
 * no longer than the queue allows. Hand it back with {@link VirtioQueue#addUsed}.
 *
 * <p>Read the driver's bytes with {@link #reader()} and fill the device's with
 * {@link #writer()}; both walk the buffers in order and may be created more than once.
 *
 * <p>A chain is kept compact because devices hold chains the driver made available (virtio-net
 * parks receive buffers until a frame comes): one address and one length per non-empty buffer,
 * {@link io.jvmm.virtio.queue.ChainBudget#BYTES_PER_BUFFER} bytes. Empty buffers carry nothing
 * and are not kept.
 */
public final class DescriptorChain {
    private final GuestMemory memory;
    private final int head;
    private final long[] addresses;
    private final int[] lengths;
    /** Buffers [0, readableCount) are readable, the rest writable. */
    private final int readableCount;
    private final long readableBytes;
    private final long writableBytes;

    /**
     * @param memory  guest memory the buffers live in
     * @param head    index of the chain's first descriptor in the descriptor table (the used
     *                element's id)
     * @param buffers the buffers in chain order, readable ones first
     * @throws IllegalArgumentException when a readable buffer follows a writable one
     */
    public DescriptorChain(GuestMemory memory, int head, List<ChainBuffer> buffers) {
        this(memory, head, addresses(buffers), lengths(buffers), buffers.size(), readableCount(buffers));
    }

    /**
     * A chain from parallel arrays, as a queue's parser collects it: the first {@code count}
     * entries are used (copied, so the caller may reuse its arrays), of which the first
     * {@code readableCount} are the readable buffers. Empty buffers are dropped.
     *
     * @throws IllegalArgumentException when a length is negative or the counts do not fit the arrays
     */
    public DescriptorChain(GuestMemory memory, int head, long[] addresses, int[] lengths, int count,
                           int readableCount) {
        this.memory = Objects.requireNonNull(memory, "memory");
        if (count < 0 || count > addresses.length || count > lengths.length || readableCount < 0
                || readableCount > count) {
            throw new IllegalArgumentException("chain of " + count + " buffers, " + readableCount + " readable");
        }
        this.head = head;
        int kept = 0;
        int keptReadable = 0;
        long readBytes = 0;
        long writeBytes = 0;
        for (int i = 0; i < count; i++) {
            if (lengths[i] < 0) {
                throw new IllegalArgumentException("negative buffer length: " + lengths[i]);
            }
            if (lengths[i] == 0) {
                continue;
            }
            kept++;
            if (i < readableCount) {
                keptReadable++;
                readBytes += lengths[i];
            } else {
                writeBytes += lengths[i];
            }
        }
        this.addresses = new long[kept];
        this.lengths = new int[kept];
        int at = 0;
        for (int i = 0; i < count; i++) {
            if (lengths[i] != 0) {
                this.addresses[at] = addresses[i];
                this.lengths[at++] = lengths[i];
            }
        }
        this.readableCount = keptReadable;
        this.readableBytes = readBytes;
        this.writableBytes = writeBytes;
    }

    private static long[] addresses(List<ChainBuffer> buffers) {
        return buffers.stream().mapToLong(ChainBuffer::address).toArray();
    }

    private static int[] lengths(List<ChainBuffer> buffers) {
        return buffers.stream().mapToInt(ChainBuffer::length).toArray();
    }

    private static int readableCount(List<ChainBuffer> buffers) {
        int firstWritable = buffers.size();
        for (int i = 0; i < buffers.size(); i++) {
            if (buffers.get(i).writable()) {
                firstWritable = Math.min(firstWritable, i);
            } else if (firstWritable < i) {
                throw new IllegalArgumentException("readable buffer " + i + " after a writable one");
            }
        }
        return firstWritable;
    }

    /** The head descriptor index (what goes into the used ring). */
    public int head() {
        return head;
    }

    /** The non-empty driver-to-device buffers, in order (a fresh list). */
    public List<ChainBuffer> readable() {
        return buffers(0, readableCount, false);
    }

    /** The non-empty device-to-driver buffers, in order (a fresh list). */
    public List<ChainBuffer> writable() {
        return buffers(readableCount, lengths.length, true);
    }

    private List<ChainBuffer> buffers(int from, int to, boolean writable) {
        List<ChainBuffer> list = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            list.add(new ChainBuffer(addresses[i], lengths[i], writable));
        }
        return list;
    }

    public long readableBytes() {
        return readableBytes;
    }

    public long writableBytes() {
        return writableBytes;
    }

    /** A fresh cursor over the readable buffers. */
    public ChainReader reader() {
        return new ChainReader(memory, addresses, lengths, 0, readableCount, readableBytes);
    }

    /** A fresh cursor over the writable buffers. */
    public ChainWriter writer() {
        return new ChainWriter(memory, addresses, lengths, readableCount, lengths.length, writableBytes);
    }

    @Override
    public String toString() {
        return "DescriptorChain[head=" + head + ", readable=" + readableBytes + "B/" + readableCount
                + ", writable=" + writableBytes + "B/" + (lengths.length - readableCount) + "]";
    }
}
