package io.jvmm.spi;

/**
 * A level-triggered interrupt line driven inside the kernel: a KVM irqfd with a resample fd
 * (KVM_IRQFD with KVM_IRQFD_FLAG_RESAMPLE, Documentation/virt/kvm/api.rst, "KVM_IRQFD"). A
 * write to {@link #trigger()} raises the line; when the guest ends the interrupt (EOI at the
 * IOAPIC) KVM lowers the line and signals {@link #resample()}, so the source can look at its
 * level again. A passed-through device's INTx uses it with VFIO: VFIO signals the trigger and
 * masks the interrupt, the resample eventfd unmasks it (VFIO_IRQ_SET_ACTION_UNMASK).
 */
public interface ResamplingIrqFd extends AutoCloseable {
    /** Written (by the kernel, e.g. VFIO) to raise the line. */
    EventFd trigger();

    /** Signalled by KVM when the guest has acknowledged the interrupt and the line was lowered. */
    EventFd resample();

    /** Detaches from KVM and closes both eventfds. */
    @Override
    void close();
}
