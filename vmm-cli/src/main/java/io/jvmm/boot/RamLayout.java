package io.jvmm.boot;

import io.jvmm.vm.X86Layout;

/**
 * Where the guest's RAM is: low RAM {@code [0, lowRamEnd)} and, for guests larger than the
 * space below the 32-bit MMIO hole, high RAM {@code [4 GiB, 4 GiB + highRamSize)}.
 */
public record RamLayout(long lowRamEnd, long highRamSize) {
    public RamLayout {
        if (lowRamEnd < X86Layout.HIGH_MEMORY || lowRamEnd > X86Layout.MMIO_HOLE_START) {
            throw new IllegalArgumentException(String.format(
                    "low RAM must end between 1 MiB and 0x%x, not 0x%x", X86Layout.MMIO_HOLE_START, lowRamEnd));
        }
        if (highRamSize < 0 || (highRamSize > 0 && lowRamEnd != X86Layout.MMIO_HOLE_START)) {
            throw new IllegalArgumentException("high RAM needs low RAM to fill everything below the MMIO hole");
        }
    }

    /** The layout the VM uses for {@code bytes} of RAM: as much as fits below the hole, the rest above 4 GiB. */
    public static RamLayout forSize(long bytes) {
        long low = Math.min(bytes, X86Layout.MMIO_HOLE_START);
        return new RamLayout(low, bytes - low);
    }

    public boolean hasHighRam() {
        return highRamSize > 0;
    }

    /** End of high RAM, or of low RAM when there is none: the top of guest RAM. */
    public long ramEnd() {
        return hasHighRam() ? X86Layout.FOUR_GIB + highRamSize : lowRamEnd;
    }

    public long totalSize() {
        return lowRamEnd + highRamSize;
    }
}
