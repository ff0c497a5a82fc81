package io.jvmm.spi;

/** Interrupt delivery offered to devices. */
public interface Interrupts {
    /** A new MSI/MSI-X vector with its own GSI route, initially masked. */
    MsiVector allocateMsi();

    /** The legacy INTx line assigned to this device's PCI slot. */
    IrqLine intx();
}
