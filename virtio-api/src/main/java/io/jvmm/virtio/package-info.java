/**
 * Virtio devices for jvmm (issue 3). This package is the device-side API: a device implements
 * {@link io.jvmm.virtio.VirtioDevice} and serves {@link io.jvmm.virtio.VirtioQueue}s it gets in
 * {@link io.jvmm.virtio.VirtioActivation}; its factory wraps it in
 * {@link io.jvmm.virtio.pci.VirtioPciDevice}. The transport lives in {@code pci}, the split
 * virtqueue in {@code queue}, and each device in its own package ({@code rng}, {@code block},
 * {@code net}, {@code console}).
 */
package io.jvmm.virtio;
