/**
 * The socket device (virtio 1.2, 5.10), device type {@code virtio-vsock}, in the hybrid model:
 * the host side is a Unix socket per port, so the host needs no vsock kernel module.
 */
package io.jvmm.virtio.vsock;
