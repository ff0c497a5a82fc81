package io.jvmm.vm;

import io.jvmm.bus.Bus;
import io.jvmm.bus.BusException;
import io.jvmm.pci.PciBarSpaces;
import io.jvmm.spi.PciBar;
import io.jvmm.spi.PciDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The BARs of the VM's PCI devices as they sit on the port-I/O and MMIO buses: placed when a
 * device is attached, moved when the guest reprograms one (called by the PCI root on a vCPU
 * thread), and put back where a snapshot says after a restore.
 */
final class PlacedBars {
    private final VmBuses buses;
    private final PciBarSpaces spaces;
    private final Map<PciDevice, List<PciBar>> bars = new ConcurrentHashMap<>();

    PlacedBars(VmBuses buses, PciBarSpaces spaces) {
        this.buses = buses;
        this.spaces = spaces;
    }

    /** Places {@code pci}'s BARs with the allocator and maps them on the buses. */
    void attach(PciDevice pci) {
        List<PciBar> placed = new ArrayList<>(pci.allocateBars(spaces));
        for (PciBar bar : placed) {
            busFor(bar).insert(bar.address(), bar.size(), new PciBarAccess(pci, bar));
        }
        bars.put(pci, placed);
    }

    /** The guest moved {@code oldBar} to {@code newAddress}: move the range, then tell the device. */
    void relocate(PciDevice device, PciBar oldBar, long newAddress) {
        PciBar moved = new PciBar(oldBar.index(), newAddress, oldBar.size(), oldBar.type(), oldBar.prefetchable());
        busFor(oldBar).move(oldBar.address(), newAddress, new PciBarAccess(device, moved));
        replace(device, moved);
        device.moveBar(oldBar, newAddress);
    }

    /**
     * After {@code pci} restored its state: each BAR it reports elsewhere than attached (the guest
     * had moved it) is reserved at that address, which must be free and inside its window, and
     * moved there on the bus.
     *
     * @throws VmException naming the device and BAR when the snapshot's address cannot be had
     */
    void restore(PciDevice pci) throws VmException {
        List<PciBar> restored = pci.restoredBars();
        if (restored == null) {
            return;
        }
        for (PciBar want : restored) {
            PciBar now = of(pci).stream().filter(b -> b.index() == want.index()).findFirst().orElseThrow(() ->
                    new VmException(pci.id() + ": the snapshot has BAR " + want.index() + ", which the device does not have"));
            if (now.address() == want.address()) {
                continue;
            }
            if (now.size() != want.size() || now.type() != want.type()) {
                throw new VmException(String.format("%s: BAR %d is a 0x%x-byte %s BAR, the snapshot's a 0x%x-byte %s one",
                        pci.id(), want.index(), now.size(), now.type(), want.size(), want.type()));
            }
            try {
                spaces.allocateAt(want.type(), want.address(), want.size());
            } catch (IllegalStateException e) {
                throw new VmException(pci.id() + ": BAR " + want.index() + " cannot go back where the snapshot has it: "
                        + e.getMessage());
            }
            try {
                busFor(now).move(now.address(), want.address(), new PciBarAccess(pci, want));
            } catch (BusException e) {
                spaces.free(want.type(), want.address(), want.size());
                throw new VmException(pci.id() + ": BAR " + want.index() + " cannot go back where the snapshot has it: "
                        + e.getMessage());
            }
            spaces.free(now.type(), now.address(), now.size());
            replace(pci, want);
        }
    }

    /** Where {@code pci}'s BARs are now. */
    List<PciBar> of(PciDevice pci) {
        return bars.getOrDefault(pci, List.of());
    }

    private void replace(PciDevice device, PciBar moved) {
        bars.computeIfPresent(device, (d, list) -> {
            List<PciBar> updated = new ArrayList<>(list);
            updated.replaceAll(b -> b.index() == moved.index() ? moved : b);
            return List.copyOf(updated);
        });
    }

    private Bus busFor(PciBar bar) {
        return bar.type() == PciBar.Type.IO ? buses.pio() : buses.mmio();
    }
}
