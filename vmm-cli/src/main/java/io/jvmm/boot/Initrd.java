package io.jvmm.boot;

/** An initramfs copied into guest memory at {@code [address, address + size)}. */
public record Initrd(long address, long size) {
}
