/**
 * The split virtqueue (virtio 1.2, 2.7): descriptor chains with indirect tables, event
 * suppression, and its state as untrusted plain data.
 */
package io.jvmm.virtio.queue;
