package io.jvmm.irq;

import io.jvmm.kvm.VmFd;
import io.jvmm.spi.Interrupts;
import io.jvmm.spi.IrqLine;
import io.jvmm.spi.MsiVector;
import io.jvmm.spi.ResamplingIrqFd;

import java.util.function.Supplier;

/** A device's interrupt resources: MSI vectors from the shared router and its INTx line. */
public final class KvmInterrupts implements Interrupts {
    private final VmFd vm;
    private final GsiRouter router;
    private final IrqLine intx;
    private final Supplier<ResamplingIrqFd> intxIrqFd;

    public KvmInterrupts(VmFd vm, GsiRouter router, IrqLine intx) {
        this(vm, router, intx, null);
    }

    /** @param intxIrqFd makes the INTx line's resampling irqfd; null when there is none */
    public KvmInterrupts(VmFd vm, GsiRouter router, IrqLine intx, Supplier<ResamplingIrqFd> intxIrqFd) {
        this.vm = vm;
        this.router = router;
        this.intx = intx;
        this.intxIrqFd = intxIrqFd;
    }

    @Override
    public MsiVector allocateMsi() {
        return new KvmMsiVector(vm, router);
    }

    @Override
    public IrqLine intx() {
        return intx;
    }

    @Override
    public ResamplingIrqFd intxIrqFd() {
        if (intxIrqFd == null) {
            return Interrupts.super.intxIrqFd();
        }
        return intxIrqFd.get();
    }
}
