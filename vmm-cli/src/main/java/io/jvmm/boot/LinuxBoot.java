package io.jvmm.boot;

import io.jvmm.spi.GuestMemory;

import java.util.List;
import java.util.Optional;

/**
 * Puts a Linux kernel, its initramfs and its boot information into guest memory: picks the
 * loader for the image format, then the matching boot configurator. The firmware tables
 * (ACPI, MP) are written before, by {@code io.jvmm.acpi}.
 */
public final class LinuxBoot {
    private LinuxBoot() {
    }

    /**
     * @param rsdpAddress the ACPI RSDP (handed to PVH kernels; a bzImage finds it by scanning
     *                    the BIOS area), or 0 without ACPI
     * @return how to start the boot vCPU
     */
    public static BootEntry setUp(GuestMemory memory, RamLayout ram, BootConfig config, long rsdpAddress)
            throws BootException {
        return setUp(memory, ram, KernelImages.open(config.kernel()), config, rsdpAddress);
    }

    /** As above, with the kernel image already opened (and so checked) by the caller. */
    public static BootEntry setUp(GuestMemory memory, RamLayout ram, KernelLoader image, BootConfig config,
                                  long rsdpAddress) throws BootException {
        LoadedKernel kernel = image.load(memory, ram);
        Optional<Initrd> initrd = Optional.empty();
        if (config.initrd().isPresent()) {
            initrd = Optional.of(InitrdLoader.load(memory, config.initrd().get(), kernel));
        }
        List<E820Entry> e820 = E820Map.of(ram);
        if (kernel instanceof LoadedKernel.BzImage bz) {
            return BootParamsWriter.write(memory, bz, config.cmdline(), initrd, e820);
        }
        return PvhStartInfoWriter.write(memory, (LoadedKernel.Pvh) kernel, config.cmdline(), initrd, e820, rsdpAddress);
    }
}
