package io.jvmm.boot;

/**
 * A kernel copied into guest memory: what its boot configurator needs and where an initramfs
 * may go ({@code [end, initrdLimit)}).
 */
public sealed interface LoadedKernel {
    /** First address above the memory the kernel occupies or needs while it starts. */
    long end();

    /** The initramfs must end at or below this address. */
    long initrdLimit();

    /** A bzImage entered through the 64-bit boot protocol. */
    record BzImage(SetupHeader header, long loadAddress, long end, long initrdLimit) implements LoadedKernel {
        /** boot.rst, "64-bit BOOT PROTOCOL": the 64-bit entry is 0x200 past the protected-mode code. */
        public long entryPoint() {
            return loadAddress + 0x200;
        }
    }

    /** An ELF vmlinux entered in 32-bit protected mode at its PVH entry point. */
    record Pvh(long entryPoint, long end, long initrdLimit) implements LoadedKernel {
    }
}
