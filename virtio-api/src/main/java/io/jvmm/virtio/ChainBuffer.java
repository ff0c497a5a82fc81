package io.jvmm.virtio;

/**
 * One guest buffer of a descriptor chain, already checked to lie entirely in guest RAM.
 *
 * @param address  guest physical address
 * @param length   length in bytes (may be 0)
 * @param writable true for a device-writable buffer (VIRTQ_DESC_F_WRITE)
 */
public record ChainBuffer(long address, int length, boolean writable) {
    public ChainBuffer {
        if (length < 0) {
            throw new IllegalArgumentException("negative buffer length: " + length);
        }
    }
}
