package io.jvmm.vm;

import io.jvmm.irq.KvmIrqLine;
import io.jvmm.kvm.VmFd;
import io.jvmm.spi.IrqLine;

/**
 * A PCI device's INTx line. The device gets it while it is created, before it has a slot;
 * the line is wired to its GSI when the device is put in a slot (ACPI _PRT: pin A of slot N
 * goes to GSI 16 + N % 8).
 */
final class PciIntxLine implements IrqLine {
    private final VmFd vm;
    private volatile KvmIrqLine line;

    PciIntxLine(VmFd vm) {
        this.vm = vm;
    }

    void connect(int slot) {
        line = new KvmIrqLine(vm, X86Layout.pciIntxGsi(slot, 0));
    }

    @Override
    public int gsi() {
        KvmIrqLine l = line;
        return l == null ? -1 : l.gsi();
    }

    @Override
    public void assertLine() {
        KvmIrqLine l = line;
        if (l != null) {
            l.assertLine();
        }
    }

    @Override
    public void deassertLine() {
        KvmIrqLine l = line;
        if (l != null) {
            l.deassertLine();
        }
    }
}
