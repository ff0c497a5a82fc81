package io.jvmm.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Recognises a kernel image file by its contents and returns the loader for its format. */
public final class KernelImages {
    /** Far above any real kernel (a distribution vmlinux is tens of MiB); keeps the read in one array. */
    static final long MAX_IMAGE_SIZE = 1L << 30;

    private KernelImages() {
    }

    /**
     * Reads {@code path} and checks it: a bzImage (boot flag 0xAA55 at 0x1FE and "HdrS" at
     * 0x202, boot.rst) or an ELF64 x86-64 vmlinux with a PVH entry note.
     */
    public static KernelLoader open(Path path) throws BootException {
        if (!Files.isRegularFile(path)) {
            throw new BootException("kernel file not found: " + path);
        }
        byte[] image;
        try {
            if (Files.size(path) > MAX_IMAGE_SIZE) {
                throw new BootException(path + " is not a Linux kernel image (larger than 1 GiB)");
            }
            image = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new BootException("cannot read kernel " + path + ": " + e.getMessage(), e);
        }
        return of(path, image);
    }

    /** As {@link #open}, for an image already in memory; {@code path} names it in messages. */
    public static KernelLoader of(Path path, byte[] image) throws BootException {
        if (SetupHeader.looksLikeBzImage(image)) {
            return BzImageLoader.parse(path, image);
        }
        if (ElfPvhLoader.looksLikeElf(image)) {
            return ElfPvhLoader.parse(path, image);
        }
        throw new BootException(path + " is not a Linux kernel image (no bzImage header and not an ELF file)");
    }
}
