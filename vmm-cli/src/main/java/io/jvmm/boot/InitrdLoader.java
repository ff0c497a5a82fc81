package io.jvmm.boot;

import io.jvmm.spi.GuestMemory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Places an initramfs as high as the kernel allows and copies it into guest memory. */
public final class InitrdLoader {
    static final long PAGE_SIZE = 4096;

    private InitrdLoader() {
    }

    /**
     * The highest page-aligned start such that {@code [start, start + size)} lies in
     * {@code [lowest, limit)}; like other boot loaders, the initramfs goes as high as the
     * kernel accepts (boot.rst, "initrd_addr_max"), far from the kernel's own memory.
     */
    static long place(long size, long lowest, long limit) {
        long start = (limit - size) & -PAGE_SIZE;
        long floor = (lowest + PAGE_SIZE - 1) & -PAGE_SIZE;
        return size <= limit && start >= floor ? start : -1;
    }

    /**
     * Copies {@code path} into guest memory within {@code [kernel.end(), kernel.initrdLimit())}.
     */
    public static Initrd load(GuestMemory memory, Path path, LoadedKernel kernel) throws BootException {
        if (!Files.isRegularFile(path)) {
            throw new BootException("initramfs file not found: " + path);
        }
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = in.size();
            if (size == 0) {
                throw new BootException("initramfs " + path + " is empty");
            }
            long start = place(size, kernel.end(), kernel.initrdLimit());
            if (start < 0) {
                throw new BootException(String.format(
                        "initramfs %s (%d MiB) does not fit between the kernel's end 0x%x and 0x%x; give the guest more memory",
                        path, (size + (1 << 20) - 1) >> 20, kernel.end(), kernel.initrdLimit()));
            }
            // Straight into guest RAM: through a heap array, the JDK would keep a temporary
            // direct buffer of the read's size cached for the VM's life (GuestFileCopy).
            GuestFileCopy.copy(in, 0, memory, start, size);
            return new Initrd(start, size);
        } catch (IOException e) {
            throw new BootException("cannot read initramfs " + path + ": " + e.getMessage(), e);
        }
    }
}
