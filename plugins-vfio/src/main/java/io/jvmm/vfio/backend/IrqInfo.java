package io.jvmm.vfio.backend;

/**
 * One interrupt index of a device (struct vfio_irq_info).
 *
 * @param index      INTx, MSI, MSI-X, ...
 * @param count      vectors; 0 when the device does not have this kind of interrupt
 * @param maskable   VFIO_IRQ_INFO_MASKABLE
 * @param automasked VFIO_IRQ_INFO_AUTOMASKED: the host masks it when it fires (level INTx), the
 *                   VMM unmasks it once the guest has handled it
 */
public record IrqInfo(int index, int count, boolean maskable, boolean automasked) {
    public static IrqInfo absent(int index) {
        return new IrqInfo(index, 0, false, false);
    }
}
