package io.jvmm.irq;

import io.jvmm.kvm.VmFd;
import io.jvmm.spi.Interrupts;
import io.jvmm.spi.IrqLine;
import io.jvmm.spi.MsiVector;

/** A device's interrupt resources: MSI vectors from the shared router and its INTx line. */
public final class KvmInterrupts implements Interrupts {
    private final VmFd vm;
    private final GsiRouter router;
    private final IrqLine intx;

    public KvmInterrupts(VmFd vm, GsiRouter router, IrqLine intx) {
        this.vm = vm;
        this.router = router;
        this.intx = intx;
    }

    @Override
    public MsiVector allocateMsi() {
        return new KvmMsiVector(vm, router);
    }

    @Override
    public IrqLine intx() {
        return intx;
    }
}
