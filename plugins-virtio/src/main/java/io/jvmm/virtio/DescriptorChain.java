package io.jvmm.virtio;

import io.jvmm.spi.GuestMemory;
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
 */
public final class DescriptorChain {
    private final GuestMemory memory;
    private final int head;
    private final List<ChainBuffer> readable;
    private final List<ChainBuffer> writable;
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
        this.memory = Objects.requireNonNull(memory, "memory");
        this.head = head;
        int firstWritable = buffers.size();
        for (int i = 0; i < buffers.size(); i++) {
            if (buffers.get(i).writable()) {
                firstWritable = Math.min(firstWritable, i);
            } else if (firstWritable < i) {
                throw new IllegalArgumentException("readable buffer " + i + " after a writable one");
            }
        }
        this.readable = List.copyOf(buffers.subList(0, firstWritable));
        this.writable = List.copyOf(buffers.subList(firstWritable, buffers.size()));
        this.readableBytes = readable.stream().mapToLong(ChainBuffer::length).sum();
        this.writableBytes = writable.stream().mapToLong(ChainBuffer::length).sum();
    }

    /** The head descriptor index (what goes into the used ring). */
    public int head() {
        return head;
    }

    /** The driver-to-device buffers, in order. */
    public List<ChainBuffer> readable() {
        return readable;
    }

    /** The device-to-driver buffers, in order. */
    public List<ChainBuffer> writable() {
        return writable;
    }

    public long readableBytes() {
        return readableBytes;
    }

    public long writableBytes() {
        return writableBytes;
    }

    /** A fresh cursor over the readable buffers. */
    public ChainReader reader() {
        return new ChainReader(memory, readable);
    }

    /** A fresh cursor over the writable buffers. */
    public ChainWriter writer() {
        return new ChainWriter(memory, writable);
    }

    @Override
    public String toString() {
        return "DescriptorChain[head=" + head + ", readable=" + readableBytes + "B/" + readable.size()
                + ", writable=" + writableBytes + "B/" + writable.size() + "]";
    }
}
