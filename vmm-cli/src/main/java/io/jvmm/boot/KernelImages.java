package io.jvmm.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Recognises a kernel image file by its contents and returns the loader for its format. */
public final class KernelImages {
    /** Far above any real kernel (a distribution vmlinux is tens of MiB): anything larger is not one. */
    static final long MAX_IMAGE_SIZE = 1L << 30;

    private KernelImages() {
    }

    /**
     * Checks the file at {@code path}: a bzImage (boot flag 0xAA55 at 0x1FE and "HdrS" at
     * 0x202, boot.rst) or an ELF64 x86-64 vmlinux with a PVH entry note. Only the headers are
     * read here; the loader copies the rest into guest RAM when it loads ({@link KernelBytes}).
     */
    public static KernelLoader open(Path path) throws BootException {
        if (!Files.isRegularFile(path)) {
            throw new BootException("kernel file not found: " + path);
        }
        try {
            KernelBytes image = KernelBytes.of(path);
            if (image.size() > MAX_IMAGE_SIZE) {
                throw new BootException(path + " is not a Linux kernel image (larger than 1 GiB)");
            }
            return of(path, image);
        } catch (IOException e) {
            throw new BootException("cannot read kernel " + path + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #open}, for an image already in memory; {@code path} names it in messages. */
    public static KernelLoader of(Path path, byte[] image) throws BootException {
        return of(path, KernelBytes.of(image));
    }

    private static KernelLoader of(Path path, KernelBytes image) throws BootException {
        byte[] prefix = image.read(0, (int) Math.min(image.size(), SetupHeader.PREFIX));
        if (SetupHeader.looksLikeBzImage(prefix)) {
            return BzImageLoader.parse(path, prefix, image);
        }
        if (ElfPvhLoader.looksLikeElf(prefix)) {
            return ElfPvhLoader.parse(path, prefix, image);
        }
        throw new BootException(path + " is not a Linux kernel image (no bzImage header and not an ELF file)");
    }
}
