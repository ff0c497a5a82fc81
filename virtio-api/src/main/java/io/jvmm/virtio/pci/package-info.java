/**
 * The virtio-pci transport (virtio 1.2, 4.1): a modern, non-transitional PCI function with one
 * memory BAR, virtio vendor capabilities, MSI-X, the common config registers, the device status
 * state machine, activation at DRIVER_OK and driver reset.
 */
package io.jvmm.virtio.pci;
