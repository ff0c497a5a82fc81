package io.jvmm.irq;

import io.jvmm.kvm.LinuxEventFd;
import io.jvmm.kvm.VmFd;
import io.jvmm.spi.EventFd;
import io.jvmm.spi.ResamplingIrqFd;

/**
 * A level interrupt raised by an eventfd and lowered at the guest's EOI (KVM_IRQFD with
 * KVM_IRQFD_FLAG_RESAMPLE). The eventfds exist from the start; the irqfd is attached to its
 * GSI once that is known ({@link #attach}). A trigger written before then stays in the
 * eventfd's counter, and KVM injects it when the irqfd is attached.
 */
public final class KvmResamplingIrqFd implements ResamplingIrqFd {
    private final VmFd vm;
    private final LinuxEventFd trigger = new LinuxEventFd();
    private final LinuxEventFd resample = new LinuxEventFd();
    private int gsi = -1;
    private boolean closed;

    public KvmResamplingIrqFd(VmFd vm) {
        this.vm = vm;
    }

    /** Wires the line to {@code gsi}; does nothing when already attached or closed. */
    public synchronized void attach(int gsi) {
        if (closed || this.gsi >= 0) {
            return;
        }
        vm.irqfdWithResample(trigger.fd(), gsi, resample.fd());
        this.gsi = gsi;
    }

    @Override
    public EventFd trigger() {
        return trigger;
    }

    @Override
    public EventFd resample() {
        return resample;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (gsi >= 0) {
            vm.irqfd(trigger.fd(), gsi, true);
        }
        trigger.close();
        resample.close();
    }
}
