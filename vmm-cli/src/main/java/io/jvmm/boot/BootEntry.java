package io.jvmm.boot;

/**
 * How the boot vCPU starts the kernel.
 *
 * @param entryPoint      guest-physical address of the first instruction
 * @param mode            the CPU mode the entry point expects
 * @param bootInfoAddress the zero page (RSI) for {@link Mode#LINUX_64}, the hvm_start_info
 *                        (EBX) for {@link Mode#PVH_32}
 */
public record BootEntry(long entryPoint, Mode mode, long bootInfoAddress) {
    public enum Mode {
        /**
         * Long mode with paging, identity-mapped, flat __BOOT_CS (0x10) / __BOOT_DS (0x18),
         * interrupts off, RSI = zero page (boot.rst, "64-bit BOOT PROTOCOL").
         */
        LINUX_64,
        /**
         * 32-bit protected mode, paging off, flat 4 GiB CS/DS, interrupts off, EBX = start info
         * (Xen docs/misc/pvh.pandoc, "Initial state").
         */
        PVH_32
    }
}
