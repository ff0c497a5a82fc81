package io.jvmm.virtio.pci;

import io.jvmm.virtio.VirtioIds;

/**
 * The PCI class code a virtio function reports (PCI Code and ID Assignment 1.11, section 1),
 * chosen like QEMU so guests' generic tools recognise the device kind. virtio 1.2, 4.1.2 leaves
 * the class to the device.
 *
 * @param base     class code
 * @param subclass sub-class code
 */
record PciClass(int base, int subclass) {
    static PciClass of(int virtioType) {
        return switch (virtioType) {
            case VirtioIds.NET -> new PciClass(0x02, 0x00); // Ethernet controller
            case VirtioIds.BLOCK -> new PciClass(0x01, 0x00); // mass storage (SCSI), as QEMU
            case VirtioIds.CONSOLE -> new PciClass(0x07, 0x80); // other communication controller
            default -> new PciClass(0xff, 0x00); // unassigned class, as QEMU's virtio-rng
        };
    }
}
