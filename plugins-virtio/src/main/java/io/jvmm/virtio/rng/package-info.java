/** The virtio entropy device (virtio 1.2, 5.4), device type {@code virtio-rng}. */
package io.jvmm.virtio.rng;
