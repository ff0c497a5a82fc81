package io.jvmm.virtio.queue;

/**
 * What one guest action on a virtqueue may cost the host, in one place. The driver is
 * untrusted: every number here bounds host heap or host time that a driver could otherwise
 * make grow with nothing but guest RAM. A driver that goes past one has either broken a rule
 * of the split ring or asked for more than any device here serves; the queue stops and the
 * device goes to DEVICE_NEEDS_RESET (virtio 1.2, 2.1.2) with one log line, never a JVM error.
 *
 * <p>Where each is enforced: {@link ChainParser} (descriptors and bytes per chain),
 * {@link SplitQueue} (chains held per queue), the devices that copy through the Java heap
 * (copy sizes).
 */
public final class ChainBudget {
    /**
     * Bytes of parsed chain per buffer: a chain keeps one address and one length per non-empty
     * buffer ({@link io.jvmm.virtio.DescriptorChain}); empty descriptors are not kept at all.
     * With {@link #maxDescriptors} and {@link SplitQueue}'s rule of one chain per head, a queue
     * of size n holds at most n chains of n buffers: n * n * 12 bytes, 768 KiB for the
     * 256-entry queues the devices here offer.
     */
    public static final int BYTES_PER_BUFFER = Long.BYTES + Integer.BYTES;

    /**
     * The most bytes one chain's buffers may add up to, readable and writable together, each
     * descriptor counted (buffers that overlap count every time). virtio 1.2, 2.7.5.2 caps a
     * chain at 2^32 bytes; the largest request any device here invites is far below that:
     * virtio-blk's seg_max (254) segments of size_max (1 MiB) plus its header and status byte,
     * just under 256 MiB. This bounds the host time one chain can take.
     */
    public static final long MAX_CHAIN_BYTES = 256L << 20;

    /**
     * Bytes a device copies through the Java heap at a time (console output): the host heap a
     * chain costs, however long the chain. Twice the 32 KiB Linux puts in one console buffer
     * (drivers/char/virtio_console.c, port_fops_write), so an ordinary write is one piece.
     */
    public static final int COPY_PIECE = 64 << 10;

    /**
     * The most bytes a device copies through the Java heap for one chain (console output). Linux
     * writes at most 32 KiB per console buffer (port_fops_write) and a splice at most one pipe
     * (1 MiB with the default pipe-max-size); a chain beyond that is not a console write but a
     * driver spending host time, so the device is reset.
     */
    public static final long MAX_COPY_BYTES = 1 << 20;

    private ChainBudget() {
    }

    /**
     * The most descriptors one chain may have, counting every entry of an indirect table:
     * virtio 1.2, 2.7.5.3.1 "A driver MUST NOT create a descriptor chain longer than the Queue
     * Size of the device". An indirect table is therefore bounded by the same number.
     */
    public static int maxDescriptors(int queueSize) {
        return queueSize;
    }
}
