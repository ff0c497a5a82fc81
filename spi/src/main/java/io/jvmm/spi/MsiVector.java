package io.jvmm.spi;

/**
 * One MSI or MSI-X interrupt of a device, backed by a KVM irqfd and a GSI route. The
 * device programs it with what the guest wrote into its MSI capability or MSI-X table
 * entry; {@link #trigger()} then injects that message.
 */
public interface MsiVector extends AutoCloseable {
    /**
     * Points the vector at a new message. A masked vector keeps its route but does not
     * deliver; the device keeps its own pending bit (PCI 3.0, 6.8.3.4).
     */
    void update(long address, int data, boolean masked);

    /** Injects the interrupt. */
    void trigger();

    /** The eventfd whose write injects this interrupt, for handing to the kernel. */
    EventFd eventFd();

    @Override
    void close();
}
