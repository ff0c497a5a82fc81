/**
 * VFIO PCI passthrough (issue 4): device type {@code vfio}.
 *
 * <p>{@link io.jvmm.vfio.VfioDeviceFactory} opens the host device through
 * {@link io.jvmm.vfio.kernel} (JNA bindings to kernel VFIO) behind the
 * {@link io.jvmm.vfio.backend.PassthroughBackend} interface; {@link io.jvmm.vfio.pci} virtualises
 * config space, BARs and MSI/MSI-X; {@link io.jvmm.vfio.irq} wires interrupts to KVM.
 */
package io.jvmm.vfio;
