package io.jvmm.memory;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.jvmm.kvm.KvmException;
import io.jvmm.kvm.LibC;
import io.jvmm.spi.GuestMemoryMapper;

/** Maps a region of a file descriptor (e.g. a VFIO BAR) into the guest as a memory slot. */
public final class FdMemoryMapper implements GuestMemoryMapper {
    private final MemorySlots slots;

    public FdMemoryMapper(MemorySlots slots) {
        this.slots = slots;
    }

    @Override
    public MappedMemory map(long guestAddress, int fd, long fdOffset, long size, boolean writable) {
        int prot = LibC.PROT_READ | (writable ? LibC.PROT_WRITE : 0);
        Pointer host;
        try {
            host = LibC.mmap(null, new NativeLong(size), prot, LibC.MAP_SHARED, fd, new NativeLong(fdOffset));
        } catch (LastErrorException e) {
            throw new KvmException("mmap of fd " + fd + " at offset 0x" + Long.toHexString(fdOffset), e.getErrorCode());
        }
        return new Mapping(host, size, guestAddress, !writable);
    }

    private final class Mapping implements MappedMemory {
        private final Pointer host;
        private final long size;
        private final boolean readOnly;
        private long guestAddress;
        private int slot;
        private boolean closed;

        Mapping(Pointer host, long size, long guestAddress, boolean readOnly) {
            this.host = host;
            this.size = size;
            this.readOnly = readOnly;
            this.guestAddress = guestAddress;
            this.slot = slots.add(guestAddress, size, Pointer.nativeValue(host), readOnly);
        }

        @Override
        public synchronized long guestAddress() {
            return guestAddress;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public synchronized void moveTo(long newGuestAddress) {
            slots.remove(slot);
            slot = slots.add(newGuestAddress, size, Pointer.nativeValue(host), readOnly);
            guestAddress = newGuestAddress;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            slots.remove(slot);
            try {
                LibC.munmap(host, new NativeLong(size));
            } catch (LastErrorException ignored) {
                // Process teardown reclaims it.
            }
        }
    }
}
