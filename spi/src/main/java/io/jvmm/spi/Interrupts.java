package io.jvmm.spi;

/** Interrupt delivery offered to devices. */
public interface Interrupts {
    /** A new MSI/MSI-X vector with its own GSI route, initially masked. */
    MsiVector allocateMsi();

    /** The legacy INTx line assigned to this device's PCI slot. */
    IrqLine intx();

    /**
     * The same INTx line as a {@link ResamplingIrqFd}, for sources in the kernel (VFIO). It may
     * be asked for while the device is created, before it has a slot: the VMM wires it to the
     * slot's GSI when it places the device, and interrupts signalled before then are delivered
     * then. Added in SPI version 1 without changing it: a VMM without it throws.
     *
     * @throws UnsupportedOperationException when the VMM cannot drive INTx from eventfds
     */
    default ResamplingIrqFd intxIrqFd() {
        throw new UnsupportedOperationException("this VMM cannot drive INTx from eventfds");
    }
}
