package io.jvmm.memory;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.jvmm.kvm.KvmException;
import io.jvmm.kvm.LibC;

/**
 * Host memory for guest RAM: a private anonymous mapping. MAP_NORESERVE so a large guest
 * costs only the pages it touches.
 */
public final class AnonymousMemory implements HostMemory {
    private final Pointer address;
    private final long size;
    private boolean closed;

    public AnonymousMemory(long size) {
        if (size <= 0 || (size & 0xfff) != 0) {
            throw new IllegalArgumentException("mapping size must be a positive multiple of 4 KiB: " + size);
        }
        try {
            Pointer p = LibC.mmap(null, new NativeLong(size), LibC.PROT_READ | LibC.PROT_WRITE,
                    LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, new NativeLong(0));
            if (LibC.mapFailed(p)) {
                throw new KvmException("mmap of " + size + " bytes for guest RAM failed");
            }
            this.address = p;
        } catch (LastErrorException e) {
            throw new KvmException("mmap(" + (size >> 20) + " MiB guest RAM)", e.getErrorCode());
        }
        this.size = size;
    }

    @Override
    public long hostAddress() {
        return Pointer.nativeValue(address);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                LibC.munmap(address, new NativeLong(size));
            } catch (LastErrorException ignored) {
                // Process teardown reclaims it anyway.
            }
        }
    }
}
