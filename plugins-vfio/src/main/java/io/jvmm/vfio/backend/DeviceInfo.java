package io.jvmm.vfio.backend;

/**
 * What a passed-through device has (struct vfio_device_info).
 *
 * @param regions    number of regions
 * @param irqs       number of interrupt indexes
 * @param resettable whether {@link PassthroughBackend#reset} can work
 */
public record DeviceInfo(int regions, int irqs, boolean resettable) {
}
