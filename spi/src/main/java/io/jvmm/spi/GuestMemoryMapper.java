package io.jvmm.spi;

/**
 * Installs host memory (for example a VFIO BAR region mmap'd from a device fd) as guest
 * physical memory, so guest accesses there do not exit to the VMM.
 */
public interface GuestMemoryMapper {
    /**
     * Maps {@code size} bytes of file descriptor {@code fd} at {@code fdOffset} at guest
     * address {@code guestAddress}.
     */
    MappedMemory map(long guestAddress, int fd, long fdOffset, long size, boolean writable);

    /** A mapping made by {@link GuestMemoryMapper#map}. */
    interface MappedMemory extends AutoCloseable {
        long guestAddress();

        long size();

        /** Moves the mapping to another guest address (the guest reprogrammed a BAR). */
        void moveTo(long newGuestAddress);

        /** Removes the memory slot and unmaps the host memory. */
        @Override
        void close();
    }
}
