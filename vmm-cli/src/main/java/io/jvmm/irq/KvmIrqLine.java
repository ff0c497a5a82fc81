package io.jvmm.irq;

import io.jvmm.kvm.VmFd;
import io.jvmm.spi.IrqLine;

/** A legacy interrupt line driven with KVM_IRQ_LINE into the in-kernel PIC/IOAPIC. */
public final class KvmIrqLine implements IrqLine {
    private final VmFd vm;
    private final int gsi;

    public KvmIrqLine(VmFd vm, int gsi) {
        this.vm = vm;
        this.gsi = gsi;
    }

    @Override
    public int gsi() {
        return gsi;
    }

    @Override
    public void assertLine() {
        vm.irqLine(gsi, true);
    }

    @Override
    public void deassertLine() {
        vm.irqLine(gsi, false);
    }
}
