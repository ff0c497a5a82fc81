package io.jvmm.kvm;

/** One entry of the KVM GSI routing table (struct kvm_irq_routing_entry). */
public sealed interface IrqRoute {
    int gsi();

    /** A GSI wired to a pin of an in-kernel interrupt controller. */
    record IrqChip(int gsi, int chip, int pin) implements IrqRoute {
        public static final int PIC_MASTER = 0;
        public static final int PIC_SLAVE = 1;
        public static final int IOAPIC = 2;
    }

    /** A GSI that injects an MSI message. */
    record Msi(int gsi, long address, int data) implements IrqRoute { }
}
