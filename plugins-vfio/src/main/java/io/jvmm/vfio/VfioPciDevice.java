package io.jvmm.vfio;

import io.jvmm.spi.GuestMemoryMapper;
import io.jvmm.spi.Interrupts;
import io.jvmm.spi.PciBar;
import io.jvmm.spi.PciBarAllocator;
import io.jvmm.spi.PciDevice;
import io.jvmm.spi.RamRegion;
import io.jvmm.spi.ResamplingIrqFd;
import io.jvmm.vfio.backend.PassthroughBackend;
import io.jvmm.vfio.irq.InterruptRouting;
import io.jvmm.vfio.pci.BarProbe;
import io.jvmm.vfio.pci.BarSpec;
import io.jvmm.vfio.pci.Capabilities;
import io.jvmm.vfio.pci.GuestBars;
import io.jvmm.vfio.pci.MsiCapability;
import io.jvmm.vfio.pci.MsixCapability;
import io.jvmm.vfio.pci.PhysicalConfig;
import io.jvmm.vfio.pci.VirtualConfigSpace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * A host PCI function passed through to the guest. It knows nothing of how the device is
 * reached (kernel VFIO today): everything goes through {@link PassthroughBackend}. The pieces:
 * {@link VirtualConfigSpace} for config space, {@link GuestBars} for BAR placement,
 * {@link BarMappings} for the parts of BARs mapped into the guest, {@link MsixCapability} for
 * the trapped MSI-X table and {@link InterruptRouting} for interrupts.
 *
 * <p>All of guest RAM is DMA-mapped before the guest runs and unmapped in {@link #close()}.
 */
public final class VfioPciDevice implements PciDevice {
    private static final Logger log = LoggerFactory.getLogger(VfioPciDevice.class);

    private final String id;
    private final PassthroughBackend backend;
    private final List<BarSpec> specs;
    private final GuestBars bars = new GuestBars();
    private final BarMappings mappings;
    private final MsixCapability msix;
    private final InterruptRouting routing;
    private final VirtualConfigSpace config;
    private final List<RamRegion> dmaMapped = new ArrayList<>();
    private boolean closed;

    private VfioPciDevice(String id, PassthroughBackend backend, Interrupts interrupts, GuestMemoryMapper mapper) {
        this.id = id;
        this.backend = backend;
        PhysicalConfig physical = new PhysicalConfig(backend);
        Capabilities caps = Capabilities.find(physical);
        this.specs = BarProbe.probe(physical, backend);
        ResamplingIrqFd intx = null;
        if (backend.irq(PassthroughBackend.INTX_IRQ).count() > 0 && physical.read8(0x3d) != 0) {
            try {
                intx = interrupts.intxIrqFd();
            } catch (UnsupportedOperationException e) {
                log.warn("{}: {}; the device's INTx is not delivered, the guest must use MSI or MSI-X", id,
                        e.getMessage());
            }
        }
        this.routing = new InterruptRouting(backend, interrupts, intx);
        MsiCapability msi = caps.msiOffset() >= 0 && backend.irq(PassthroughBackend.MSI_IRQ).count() > 0
                ? new MsiCapability(physical, caps.msiOffset(), routing) : null;
        this.msix = caps.msixOffset() >= 0 && backend.irq(PassthroughBackend.MSIX_IRQ).count() > 0
                ? new MsixCapability(physical, caps.msixOffset(), routing) : null;
        this.config = new VirtualConfigSpace(physical, bars, msi, msix, caps, intx != null);
        this.mappings = new BarMappings(id, backend, mapper, msix);
        routing.start();
        log.info("{}: {} [{}:{}], BARs {}, {}{}{}", id, backend.name(), hex4(physical.read16(0)), hex4(physical.read16(2)),
                specs, msix != null ? "MSI-X (" + msix.entries() + " vectors) " : "",
                msi != null ? "MSI " : "", intx != null ? "INTx" : "");
    }

    private static String hex4(int v) {
        return String.format("%04x", v);
    }

    /**
     * Resets the device, DMA-maps all of {@code ram} and builds the device model. On failure the
     * mappings made so far are removed; the caller closes the backend.
     */
    public static VfioPciDevice create(String id, PassthroughBackend backend, Interrupts interrupts,
                                       GuestMemoryMapper mapper, List<RamRegion> ram) {
        // A device left running by its last user (another VM, a crash) must not DMA into our RAM.
        if (!backend.reset()) {
            log.warn("{}: {} cannot be reset (VFIO reports no reset method); it starts in whatever state it is in",
                    id, backend.name());
        }
        VfioPciDevice device = new VfioPciDevice(id, backend, interrupts, mapper);
        try {
            for (RamRegion r : ram) {
                backend.dmaMap(r.guestAddress(), r.size(), r.hostAddress());
                device.dmaMapped.add(r);
            }
        } catch (RuntimeException e) {
            device.releaseAll(false);
            throw e;
        }
        return device;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int readConfigRegister(int reg) {
        return config.read(reg);
    }

    @Override
    public BarReprogram writeConfigRegister(int reg, int offset, byte[] data) {
        return config.write(reg, offset, data);
    }

    @Override
    public List<PciBar> allocateBars(PciBarAllocator allocator) {
        List<PciBar> placed = bars.place(specs, allocator);
        placed.forEach(mappings::map);
        return placed;
    }

    @Override
    public void moveBar(PciBar bar, long newBase) {
        bars.moved(bar.address(), newBase).ifPresent(moved -> {
            mappings.unmap(moved.index());
            mappings.map(moved);
        });
    }

    @Override
    public void readBar(PciBar bar, long offset, byte[] data) {
        if (msix != null && msix.inTable(bar.index(), offset, data.length)) {
            msix.readTable(offset, data);
        } else {
            backend.read(bar.index(), offset, data);
        }
    }

    @Override
    public void writeBar(PciBar bar, long offset, byte[] data) {
        if (msix != null && msix.inTable(bar.index(), offset, data.length)) {
            msix.writeTable(offset, data);
        } else {
            backend.write(bar.index(), offset, data);
        }
    }

    /** Interrupts off, BAR mappings and DMA mappings removed, device released: it can be used again. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            releaseAll(true);
        }
    }

    private void releaseAll(boolean closeBackend) {
        routing.close();
        mappings.close();
        for (RamRegion r : dmaMapped) {
            try {
                backend.dmaUnmap(r.guestAddress(), r.size());
            } catch (RuntimeException e) {
                log.warn("{}: DMA unmap of guest RAM at 0x{} failed: {}", id, Long.toHexString(r.guestAddress()),
                        e.getMessage());
            }
        }
        dmaMapped.clear();
        if (closeBackend) {
            backend.close();
        }
    }
}
