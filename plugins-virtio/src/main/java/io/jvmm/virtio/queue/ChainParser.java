package io.jvmm.virtio.queue;

import io.jvmm.spi.GuestMemory;
import io.jvmm.spi.GuestMemoryException;
import io.jvmm.virtio.ChainBuffer;
import io.jvmm.virtio.DescriptorChain;

import java.util.ArrayList;
import java.util.List;

/**
 * Walks one descriptor chain from its head and checks every rule a device relies on before
 * touching a buffer (virtio 1.2, 2.7.5 and 2.7.5.3). Every descriptor is read through
 * {@link GuestMemory}, so a bad table address can only raise an exception, never reach memory
 * outside the guest.
 */
final class ChainParser {
    /** Linux never builds an indirect table longer than the ring; 2.7.5.3.1 bounds it by 2^32 / 16. */
    static final int MAX_INDIRECT = 32768;

    private final GuestMemory memory;
    private final long descTable;
    private final int queueSize;
    private final boolean indirectAllowed;

    ChainParser(GuestMemory memory, long descTable, int queueSize, boolean indirectAllowed) {
        this.memory = memory;
        this.descTable = descTable;
        this.queueSize = queueSize;
        this.indirectAllowed = indirectAllowed;
    }

    DescriptorChain parse(int head) throws MalformedChainException {
        if (head >= queueSize) {
            throw new MalformedChainException("chain head " + head + " is not below the queue size " + queueSize);
        }
        List<ChainBuffer> buffers = new ArrayList<>();
        int index = head;
        int seen = 0;
        try {
            while (true) {
                // 2.7.5: a chain holds at most queue-size descriptors; more means a loop.
                if (++seen > queueSize) {
                    throw new MalformedChainException("chain from head " + head + " is longer than the queue ("
                            + queueSize + "): a loop");
                }
                Descriptor d = Descriptor.read(memory, descTable + (long) index * Descriptor.SIZE);
                if (d.indirect()) {
                    walkIndirect(d, buffers);
                    if (d.hasNext()) {
                        // 2.7.5.3.1: the driver MUST NOT set both INDIRECT and NEXT.
                        throw new MalformedChainException("descriptor " + index + " has both INDIRECT and NEXT");
                    }
                    break;
                }
                add(buffers, d);
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
        return new DescriptorChain(memory, head, buffers);
    }

    private void walkIndirect(Descriptor table, List<ChainBuffer> buffers) throws MalformedChainException {
        if (!indirectAllowed) {
            throw new MalformedChainException("indirect descriptor without VIRTIO_F_RING_INDIRECT_DESC");
        }
        long length = table.length();
        if (length == 0 || length % Descriptor.SIZE != 0 || length / Descriptor.SIZE > MAX_INDIRECT) {
            throw new MalformedChainException("indirect table of " + length + " bytes (must be a non-zero multiple of 16, "
                    + "at most " + MAX_INDIRECT + " entries)");
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
            Descriptor d = Descriptor.read(memory, table.address() + (long) index * Descriptor.SIZE);
            if (d.indirect()) {
                // 2.7.5.3.1: MUST NOT set INDIRECT within an indirect descriptor.
                throw new MalformedChainException("nested indirect table");
            }
            add(buffers, d);
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

    private void add(List<ChainBuffer> buffers, Descriptor d) throws MalformedChainException {
        if (d.length() > Integer.MAX_VALUE) {
            throw new MalformedChainException("buffer of " + d.length() + " bytes");
        }
        if (d.length() > 0 && !memory.isValid(d.address(), d.length())) {
            throw new MalformedChainException(String.format("buffer [0x%x, +0x%x) outside guest RAM", d.address(),
                    d.length()));
        }
        // 2.7.4.2: device-writable descriptors come after all device-readable ones.
        if (!d.writable() && !buffers.isEmpty() && buffers.get(buffers.size() - 1).writable()) {
            throw new MalformedChainException("readable descriptor after a writable one");
        }
        buffers.add(new ChainBuffer(d.address(), (int) d.length(), d.writable()));
    }
}
