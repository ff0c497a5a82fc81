package io.jvmm.spi;

/**
 * Lets a device have guest writes to an address signal an eventfd inside the kernel
 * (KVM_IOEVENTFD), so a doorbell write does not exit to the VMM.
 */
public interface IoEventRegistry {
    /**
     * Registers an eventfd signalled by guest writes of {@code length} bytes to MMIO
     * address {@code address}. With {@code dataMatch} non-null only writes of that value
     * signal it.
     */
    EventFd registerMmio(long address, int length, Long dataMatch);

    /** Removes a registration made by {@link #registerMmio}. */
    void unregister(EventFd eventFd);
}
