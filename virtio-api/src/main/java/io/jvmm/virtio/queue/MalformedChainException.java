package io.jvmm.virtio.queue;

/**
 * The driver broke the split-ring rules (virtio 1.2, 2.7): a chain that loops or is too long,
 * a buffer outside guest RAM, a readable descriptor after a writable one, a nested or badly
 * sized indirect table, an available index that runs ahead by more than the queue size. The
 * device cannot trust the queue any more and goes to DEVICE_NEEDS_RESET (2.1.2).
 */
public final class MalformedChainException extends Exception {
    public MalformedChainException(String message) {
        super(message);
    }
}
