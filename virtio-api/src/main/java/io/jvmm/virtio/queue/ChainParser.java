package io.jvmm.virtio.queue;

import io.jvmm.spi.GuestMemory;
import io.jvmm.spi.GuestMemoryException;
import io.jvmm.virtio.DescriptorChain;

/**
 * Walks one descriptor chain from its head and checks every rule a device relies on before
 * touching a buffer (virtio 1.2, 2.7.5 and 2.7.5.3), and the {@link ChainBudget}: at most
 * queue-size descriptors however they are split between the ring and an indirect table, and
 * at most {@link ChainBudget#MAX_CHAIN_BYTES} bytes. Every descriptor is read through
 * {@link GuestMemory}, so a bad table address can only raise an exception, never reach memory
 * outside the guest. The host memory a parse takes is bounded by the queue size, whatever the
 * driver wrote.
 */
final class ChainParser {
    private final GuestMemory memory;
    private final long descTable;
    private final int queueSize;
    private final int maxDescriptors;
    private final boolean indirectAllowed;
    /** Scratch for the chain being parsed; the chain copies what it keeps. One parse at a time (the queue's lock). */
    private final long[] addresses;
    private final int[] lengths;

    ChainParser(GuestMemory memory, long descTable, int queueSize, boolean indirectAllowed) {
        this.memory = memory;
        this.descTable = descTable;
        this.queueSize = queueSize;
        this.maxDescriptors = ChainBudget.maxDescriptors(queueSize);
        this.indirectAllowed = indirectAllowed;
        this.addresses = new long[maxDescriptors];
        this.lengths = new int[maxDescriptors];
    }

    /** One parse: the buffers collected so far and what they add up to. */
    private final class Walk {
        int count;
        int readable;
        boolean sawWritable;
        long bytes;
        int descriptors;

        /**
         * Counts one more buffer descriptor against the budget (2.7.5.3.1). A descriptor that
         * only points to an indirect table is not counted: Linux fills a table with as many
         * entries as the queue size allows (virtio-blk's seg_max plus header and status).
         */
        void count(int head) throws MalformedChainException {
            if (++descriptors > maxDescriptors) {
                throw new MalformedChainException("chain from head " + head + " is longer than the queue ("
                        + maxDescriptors + " descriptors, virtio 1.2, 2.7.5.3.1): a loop, or too long a table");
            }
        }

        void add(Descriptor d) throws MalformedChainException {
            if (d.length() > Integer.MAX_VALUE) {
                throw new MalformedChainException("buffer of " + d.length() + " bytes");
            }
            if (d.length() > 0 && !memory.isValid(d.address(), d.length())) {
                throw new MalformedChainException(String.format("buffer [0x%x, +0x%x) outside guest RAM", d.address(),
                        d.length()));
            }
            // 2.7.4.2: device-writable descriptors come after all device-readable ones.
            if (!d.writable() && sawWritable) {
                throw new MalformedChainException("readable descriptor after a writable one");
            }
            sawWritable |= d.writable();
            bytes += d.length();
            if (bytes > ChainBudget.MAX_CHAIN_BYTES) {
                throw new MalformedChainException("chain of more than " + ChainBudget.MAX_CHAIN_BYTES
                        + " bytes, more than any request this device serves");
            }
            addresses[count] = d.address();
            lengths[count++] = (int) d.length();
            if (!d.writable()) {
                readable = count;
            }
        }
    }

    DescriptorChain parse(int head) throws MalformedChainException {
        if (head >= queueSize) {
            throw new MalformedChainException("chain head " + head + " is not below the queue size " + queueSize);
        }
        Walk walk = new Walk();
        int index = head;
        try {
            while (true) {
                Descriptor d = Descriptor.read(memory, descTable + (long) index * Descriptor.SIZE);
                if (d.indirect()) {
                    if (d.hasNext()) {
                        // 2.7.5.3.1: the driver MUST NOT set both INDIRECT and NEXT.
                        throw new MalformedChainException("descriptor " + index + " has both INDIRECT and NEXT");
                    }
                    walkIndirect(d, walk, head);
                    break;
                }
                // 2.7.5: a chain holds at most queue-size descriptors; more means a loop.
                walk.count(head);
                walk.add(d);
                if (!d.hasNext()) {
                    break;
                }
                if (d.next() >= queueSize) {
                    throw new MalformedChainException("descriptor " + index + " points to " + d.next()
                            + ", beyond the queue size " + queueSize);
                }
                index = d.next();
            }
        } catch (GuestMemoryException e) {
            throw new MalformedChainException("descriptor table outside guest RAM: " + e.getMessage());
        }
        return new DescriptorChain(memory, head, addresses, lengths, walk.count, walk.readable);
    }

    private void walkIndirect(Descriptor table, Walk walk, int head) throws MalformedChainException {
        if (!indirectAllowed) {
            throw new MalformedChainException("indirect descriptor without VIRTIO_F_RING_INDIRECT_DESC");
        }
        long length = table.length();
        // 2.7.5.3.1: the table's entries count towards the queue-size limit of the whole chain.
        if (length == 0 || length % Descriptor.SIZE != 0 || length / Descriptor.SIZE > maxDescriptors) {
            throw new MalformedChainException("indirect table of " + length + " bytes (must be a non-zero multiple of 16, "
                    + "at most " + maxDescriptors + " entries: the queue size)");
        }
        if (!memory.isValid(table.address(), length)) {
            throw new MalformedChainException(String.format("indirect table [0x%x, +0x%x) outside guest RAM",
                    table.address(), length));
        }
        int entries = (int) (length / Descriptor.SIZE);
        int index = 0;
        int seen = 0;
        while (true) {
            if (++seen > entries) {
                throw new MalformedChainException("indirect chain longer than its table (" + entries + "): a loop");
            }
            walk.count(head);
            Descriptor d = Descriptor.read(memory, table.address() + (long) index * Descriptor.SIZE);
            if (d.indirect()) {
                // 2.7.5.3.1: MUST NOT set INDIRECT within an indirect descriptor.
                throw new MalformedChainException("nested indirect table");
            }
            walk.add(d);
            if (!d.hasNext()) {
                return;
            }
            if (d.next() >= entries) {
                throw new MalformedChainException("indirect descriptor points to " + d.next() + ", beyond its table ("
                        + entries + ")");
            }
            index = d.next();
        }
    }
}
