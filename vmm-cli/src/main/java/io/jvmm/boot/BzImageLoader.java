package io.jvmm.boot;

import io.jvmm.spi.GuestMemory;
import io.jvmm.vm.X86Layout;

import java.nio.file.Path;

/**
 * Loads a bzImage for the 64-bit boot protocol (Documentation/arch/x86/boot.rst): the
 * protected-mode code, which starts after the real-mode setup sectors, goes to
 * {@link X86Layout#KERNEL_LOAD}; the real-mode part is not needed since the VMM enters the
 * kernel in long mode and writes the zero page itself ({@link BootParamsWriter}).
 */
public final class BzImageLoader implements KernelLoader {
    private final Path path;
    private final SetupHeader header;
    private final KernelBytes image;

    private BzImageLoader(Path path, SetupHeader header, KernelBytes image) {
        this.path = path;
        this.header = header;
        this.image = image;
    }

    /** Checks the header of {@code image} (a bzImage by its magic numbers). */
    public static BzImageLoader parse(Path path, byte[] image) throws BootException {
        return parse(path, image, KernelBytes.of(image));
    }

    /** As above; {@code prefix} is the start of {@code image} ({@link SetupHeader#PREFIX} bytes, or all of a shorter one). */
    static BzImageLoader parse(Path path, byte[] prefix, KernelBytes image) throws BootException {
        return new BzImageLoader(path, SetupHeader.parse(path.toString(), prefix, image.size()), image);
    }

    @Override
    public Path path() {
        return path;
    }

    public SetupHeader header() {
        return header;
    }

    @Override
    public LoadedKernel.BzImage load(GuestMemory memory, RamLayout ram) throws BootException {
        long load = X86Layout.KERNEL_LOAD;
        long payload = image.size() - header.setupSize();
        // The decompressor needs init_size bytes from its runtime start before it knows the
        // memory map, so nothing else (the initramfs) may go there.
        long end = Math.max(load + payload, header.runtimeStart(load) + header.initSize());
        if (end > ram.lowRamEnd()) {
            throw new BootException(String.format(
                    "%s needs guest RAM up to 0x%x to decompress, but low RAM ends at 0x%x; give the guest at least %d MiB",
                    path, end, ram.lowRamEnd(), (end + (1 << 20) - 1) >> 20));
        }
        image.copyTo(memory, load, header.setupSize(), payload);
        long initrdLimit = Math.min(header.initrdAddrMax() + 1, ram.lowRamEnd());
        return new LoadedKernel.BzImage(header, load, end, initrdLimit);
    }
}
