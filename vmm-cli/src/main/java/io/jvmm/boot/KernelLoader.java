package io.jvmm.boot;

import io.jvmm.spi.GuestMemory;

import java.nio.file.Path;

/**
 * Copies one kind of kernel image into guest memory. One implementation per image format
 * ({@link BzImageLoader}, {@link ElfPvhLoader}); {@link KernelImages#open} picks one by
 * looking at the file. Writing the boot parameters is a separate step (see {@link LinuxBoot}).
 */
public interface KernelLoader {
    /** The image file, for messages. */
    Path path();

    /**
     * Copies the kernel into guest memory.
     *
     * @throws BootException when the kernel does not fit in the guest's RAM
     */
    LoadedKernel load(GuestMemory memory, RamLayout ram) throws BootException;
}
