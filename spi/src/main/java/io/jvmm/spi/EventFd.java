package io.jvmm.spi;

/**
 * A Linux eventfd owned by the VMM, used for doorbells (ioeventfd) and interrupts (irqfd).
 * The raw descriptor is exposed for handing to the kernel (e.g. VFIO_DEVICE_SET_IRQS).
 */
public interface EventFd extends AutoCloseable {
    /** The file descriptor number. Valid until {@link #close()}. */
    int fd();

    /** Adds {@code value} to the counter, waking readers. */
    void write(long value);

    /** Blocks until the counter is non-zero, returns it and resets it to zero. */
    long read();

    @Override
    void close();
}
