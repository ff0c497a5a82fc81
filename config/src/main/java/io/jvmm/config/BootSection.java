package io.jvmm.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The [boot] table. Paths are absolute (resolved against the config file's directory) and
 * were regular files when the config was loaded.
 *
 * @param kernel    the Linux kernel (bzImage or vmlinux)
 * @param initramfs the initial RAM disk, if any
 * @param cmdline   the kernel command line
 */
public record BootSection(Path kernel, Optional<Path> initramfs, String cmdline) {
    /** Serial console on the first UART, reboot through the keyboard controller, reboot at once on panic. */
    public static final String DEFAULT_CMDLINE = "console=ttyS0 reboot=k panic=-1";

    public BootSection {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initramfs, "initramfs");
        Objects.requireNonNull(cmdline, "cmdline");
    }

    /** This section with {@code extra} appended to the command line after a space. */
    public BootSection withCmdlineAppended(String extra) {
        if (extra == null || extra.isBlank()) {
            return this;
        }
        String joined = cmdline.isBlank() ? extra.strip() : cmdline.strip() + " " + extra.strip();
        return new BootSection(kernel, initramfs, joined);
    }
}
