package io.jvmm.irq;

import io.jvmm.kvm.IrqRoute;
import io.jvmm.kvm.VmFd;
import io.jvmm.vm.X86Layout;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Owns the VM's GSI routing table. KVM_SET_GSI_ROUTING replaces the whole table, so the
 * legacy routes (KVM's defaults: GSIs 0-15 to the PIC pair and the IOAPIC, 16-23 to the
 * IOAPIC) are always sent along with the MSI routes, which take GSIs from 24 up.
 */
public final class GsiRouter {
    private static final int FIRST_MSI_GSI = X86Layout.IOAPIC_PINS;
    /** KVM's default routing table has 4096 entries at most (KVM_MAX_IRQ_ROUTES). */
    private static final int MAX_GSI = 4096;

    private final VmFd vm;
    private final List<IrqRoute> legacy;
    private final Map<Integer, IrqRoute.Msi> msi = new TreeMap<>();
    private final BitSet used = new BitSet();

    public GsiRouter(VmFd vm) {
        this.vm = vm;
        this.legacy = legacyRoutes();
    }

    /** The routes KVM installs by default with an in-kernel irqchip (virt/kvm/irqchip.c). */
    static List<IrqRoute> legacyRoutes() {
        List<IrqRoute> routes = new ArrayList<>();
        for (int gsi = 0; gsi < X86Layout.IOAPIC_PINS; gsi++) {
            if (gsi < 16) {
                int chip = gsi < 8 ? IrqRoute.IrqChip.PIC_MASTER : IrqRoute.IrqChip.PIC_SLAVE;
                routes.add(new IrqRoute.IrqChip(gsi, chip, gsi % 8));
            }
            routes.add(new IrqRoute.IrqChip(gsi, IrqRoute.IrqChip.IOAPIC, gsi));
        }
        return routes;
    }

    /** Reserves a GSI for an MSI vector; it has no route until {@link #setMsiRoute}. */
    public synchronized int allocate() {
        int gsi = used.nextClearBit(FIRST_MSI_GSI);
        if (gsi >= MAX_GSI) {
            throw new IllegalStateException("out of GSIs for MSI vectors (" + MAX_GSI + ")");
        }
        used.set(gsi);
        return gsi;
    }

    public synchronized void setMsiRoute(int gsi, long address, int data) {
        IrqRoute.Msi route = new IrqRoute.Msi(gsi, address, data);
        if (!route.equals(msi.put(gsi, route))) {
            commit();
        }
    }

    public synchronized void release(int gsi) {
        used.clear(gsi);
        if (msi.remove(gsi) != null) {
            commit();
        }
    }

    private void commit() {
        List<IrqRoute> all = new ArrayList<>(legacy);
        all.addAll(msi.values());
        vm.setGsiRouting(all);
    }
}
