/** virtio-pci transport and virtio devices (issue 3). */
package io.jvmm.virtio;
