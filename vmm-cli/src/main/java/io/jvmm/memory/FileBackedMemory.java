package io.jvmm.memory;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.jvmm.kvm.Fds;
import io.jvmm.kvm.KvmException;
import io.jvmm.kvm.LibC;

import java.nio.file.Path;

/**
 * Guest RAM mapped from a snapshot's memory file with MAP_PRIVATE: pages are read from the
 * file lazily on first touch (holes read as zeros), and guest writes go to private copies,
 * so the file is never modified and restore time does not grow with memory size.
 */
public final class FileBackedMemory implements HostMemory {
    private final Pointer address;
    private final long size;
    private boolean closed;

    public FileBackedMemory(Path file, long fileOffset, long size) {
        if (size <= 0 || (size & 0xfff) != 0 || (fileOffset & 0xfff) != 0) {
            throw new IllegalArgumentException("file mapping must be 4 KiB aligned: offset " + fileOffset + ", size " + size);
        }
        int fd;
        try {
            fd = LibC.open(file.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new KvmException("open(" + file + ")", e.getErrorCode());
        }
        try {
            Pointer p = LibC.mmap(null, new NativeLong(size), LibC.PROT_READ | LibC.PROT_WRITE,
                    LibC.MAP_PRIVATE | LibC.MAP_NORESERVE, fd, new NativeLong(fileOffset));
            if (LibC.mapFailed(p)) {
                throw new KvmException("mmap of " + file + " failed");
            }
            this.address = p;
        } catch (LastErrorException e) {
            throw new KvmException("mmap(" + file + ", MAP_PRIVATE)", e.getErrorCode());
        } finally {
            Fds.closeQuietly(fd);
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
