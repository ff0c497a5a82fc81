package io.jvmm.boot;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/** What to boot: a kernel image (bzImage or PVH vmlinux), an optional initramfs, a command line. */
public record BootConfig(Path kernel, Optional<Path> initrd, String cmdline) {
    public BootConfig {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initrd, "initrd");
        Objects.requireNonNull(cmdline, "cmdline");
    }
}
