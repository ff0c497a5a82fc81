package io.jvmm.vm;

import io.jvmm.irq.KvmIrqLine;
import io.jvmm.irq.KvmResamplingIrqFd;
import io.jvmm.kvm.VmFd;
import io.jvmm.spi.IrqLine;
import io.jvmm.spi.ResamplingIrqFd;

import java.util.ArrayList;
import java.util.List;

/**
 * A PCI device's INTx line. The device gets it while it is created, before it has a slot;
 * the line is wired to its GSI when the device is put in a slot (ACPI _PRT: pin A of slot N
 * goes to GSI 16 + N % 8). Irqfds asked for before then are attached at that point.
 */
final class PciIntxLine implements IrqLine {
    private final VmFd vm;
    private final List<KvmResamplingIrqFd> irqFds = new ArrayList<>();
    private volatile KvmIrqLine line;

    PciIntxLine(VmFd vm) {
        this.vm = vm;
    }

    synchronized void connect(int slot) {
        line = new KvmIrqLine(vm, X86Layout.pciIntxGsi(slot, 0));
        irqFds.forEach(fd -> fd.attach(line.gsi()));
    }

    /** The line as a resampling irqfd, attached now or when the device gets its slot. */
    synchronized ResamplingIrqFd irqFd() {
        KvmResamplingIrqFd fd = new KvmResamplingIrqFd(vm);
        irqFds.add(fd);
        KvmIrqLine l = line;
        if (l != null) {
            fd.attach(l.gsi());
        }
        return fd;
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
