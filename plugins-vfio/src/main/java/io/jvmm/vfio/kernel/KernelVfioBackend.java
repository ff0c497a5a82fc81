package io.jvmm.vfio.kernel;

import io.jvmm.vfio.backend.BackendException;
import io.jvmm.vfio.backend.DeviceInfo;
import io.jvmm.vfio.backend.IrqInfo;
import io.jvmm.vfio.backend.PassthroughBackend;
import io.jvmm.vfio.backend.RegionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link PassthroughBackend} over kernel VFIO: a container of its own with the type1 IOMMU,
 * the device's group, and the device fd (Documentation/driver-api/vfio.rst, "VFIO Usage
 * Example", in that order). Region accesses are pread/pwrite at the region's offset in the
 * device fd.
 */
public final class KernelVfioBackend implements PassthroughBackend {
    private static final Logger log = LoggerFactory.getLogger(KernelVfioBackend.class);

    private final String address;
    private final VfioContainer container;
    private final VfioGroup group;
    private final VfioDeviceFd device;
    private final DeviceInfo info;
    private final RegionInfo[] regions;
    private final IrqInfo[] irqs;
    private final List<long[]> dmaMappings = new ArrayList<>();
    private final LockedMemoryLimit memlock;
    private final long guestRamBytes;
    private boolean closed;

    private KernelVfioBackend(String address, VfioContainer container, VfioGroup group, VfioDeviceFd device,
                              LockedMemoryLimit memlock, long guestRamBytes) {
        this.address = address;
        this.container = container;
        this.group = group;
        this.device = device;
        this.memlock = memlock;
        this.guestRamBytes = guestRamBytes;
        this.info = device.info();
        // Only the regions and interrupts a PCI function model needs: BARs, ROM, config space;
        // INTx, MSI, MSI-X. vfio-pci answers EINVAL for ones the device lacks (e.g. the VGA region).
        this.regions = new RegionInfo[CONFIG_REGION + 1];
        for (int i = 0; i < regions.length; i++) {
            regions[i] = i < info.regions() ? regionOrAbsent(device, i) : RegionInfo.absent(i);
        }
        this.irqs = new IrqInfo[MSIX_IRQ + 1];
        for (int i = 0; i < irqs.length; i++) {
            irqs[i] = i < info.irqs() ? irqOrAbsent(device, i) : IrqInfo.absent(i);
        }
    }

    private static RegionInfo regionOrAbsent(VfioDeviceFd device, int index) {
        try {
            return device.regionInfo(index);
        } catch (VfioException e) {
            if (e.errno() == LibC.EINVAL) {
                return RegionInfo.absent(index);
            }
            throw e;
        }
    }

    private static IrqInfo irqOrAbsent(VfioDeviceFd device, int index) {
        try {
            return device.irqInfo(index);
        } catch (VfioException e) {
            if (e.errno() == LibC.EINVAL) {
                return IrqInfo.absent(index);
            }
            throw e;
        }
    }

    /**
     * Opens {@code address} for passthrough of a guest with {@code guestRamBytes} of RAM.
     *
     * @throws BackendException with a message saying what to do
     */
    public static KernelVfioBackend open(VfioHost host, String address, long guestRamBytes) {
        VfioHost.Located located = host.locate(address);
        VfioContainer container = null;
        VfioGroup group = null;
        VfioDeviceFd device = null;
        try {
            container = VfioContainer.open(located.containerFile().toString());
            if (container.apiVersion() != VfioIoctls.API_VERSION) {
                throw new BackendException(located.containerFile() + " speaks VFIO API " + container.apiVersion()
                        + ", jvmm needs " + VfioIoctls.API_VERSION);
            }
            int iommu = container.checkExtension(VfioIoctls.TYPE1V2_IOMMU) ? VfioIoctls.TYPE1V2_IOMMU
                    : container.checkExtension(VfioIoctls.TYPE1_IOMMU) ? VfioIoctls.TYPE1_IOMMU : -1;
            if (iommu < 0) {
                throw new BackendException("VFIO has no type1 IOMMU here: load it with 'modprobe vfio_iommu_type1'");
            }
            group = openGroup(located);
            if (!group.status().viable()) {
                throw new BackendException(host.notViableMessage(located));
            }
            group.setContainer(container);
            container.setIommu(iommu);
            LockedMemoryLimit memlock = LockedMemoryLimit.ofThisProcess();
            memlock.problem(guestRamBytes).ifPresent(problem -> {
                throw new BackendException(problem);
            });
            device = group.deviceFd(address);
            KernelVfioBackend backend = new KernelVfioBackend(address, container, group, device, memlock,
                    guestRamBytes);
            log.debug("{}: VFIO group {}, IOMMU type {}, {}", address, located.group(), iommu, backend.info);
            return backend;
        } catch (VfioException e) {
            closeAll(device, group, container);
            throw new BackendException(explain(located, e), e);
        } catch (RuntimeException e) {
            closeAll(device, group, container);
            throw e;
        }
    }

    private static VfioGroup openGroup(VfioHost.Located located) {
        try {
            return VfioGroup.open(located.groupFile().toString());
        } catch (VfioException e) {
            if (e.errno() == LibC.EBUSY) {
                throw new BackendException(located.groupFile() + " is busy: another process (another VM?) has "
                        + "IOMMU group " + located.group() + " of " + located.address() + " open", e);
            }
            throw e;
        }
    }

    private static String explain(VfioHost.Located located, VfioException e) {
        if (e.errno() == LibC.EACCES || e.errno() == LibC.EPERM) {
            return "no permission to use VFIO for " + located.address() + " (" + e.getMessage() + "): run jvmm as "
                    + "root, or give your user " + located.groupFile() + " (chown USER " + located.groupFile()
                    + ") and raise its locked-memory limit";
        }
        return "VFIO setup of " + located.address() + " failed: " + e.getMessage();
    }

    private static void closeAll(AutoCloseable... all) {
        for (AutoCloseable c : all) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // Already failing; the first error is the one to report.
                }
            }
        }
    }

    /** The group fd, for the KVM-VFIO pseudo device. */
    public int groupFd() {
        return group.fd();
    }

    @Override
    public String name() {
        return address;
    }

    @Override
    public DeviceInfo deviceInfo() {
        return info;
    }

    @Override
    public RegionInfo region(int index) {
        return index >= 0 && index < regions.length ? regions[index] : RegionInfo.absent(index);
    }

    @Override
    public IrqInfo irq(int index) {
        return index >= 0 && index < irqs.length ? irqs[index] : IrqInfo.absent(index);
    }

    @Override
    public void read(int region, long offset, byte[] data) {
        RegionInfo r = region(region);
        if (offset < 0 || offset + data.length > r.size() || !r.readable()) {
            java.util.Arrays.fill(data, (byte) 0xff);
            return;
        }
        device.read(r.fdOffset() + offset, data);
    }

    @Override
    public void write(int region, long offset, byte[] data) {
        RegionInfo r = region(region);
        if (offset < 0 || offset + data.length > r.size() || !r.writable()) {
            return;
        }
        device.write(r.fdOffset() + offset, data);
    }

    @Override
    public void enableIrq(int index, int[] eventFds) {
        device.setIrqEventFds(index, eventFds);
    }

    @Override
    public void disableIrq(int index) {
        device.disableIrq(index);
    }

    @Override
    public void unmaskOnEventFd(int index, int eventFd) {
        device.setUnmaskEventFd(index, eventFd);
    }

    @Override
    public boolean reset() {
        if (!info.resettable()) {
            return false;
        }
        device.reset();
        return true;
    }

    @Override
    public synchronized void dmaMap(long iova, long size, long hostAddress) {
        try {
            container.mapDma(iova, size, hostAddress);
        } catch (VfioException e) {
            if (e.errno() == LibC.ENOMEM) {
                throw new BackendException(memlock.message(guestRamBytes) + " (" + e.getMessage() + ")", e);
            }
            throw new BackendException("cannot map guest RAM [0x" + Long.toHexString(iova) + ", +0x"
                    + Long.toHexString(size) + ") for DMA by " + address + ": " + e.getMessage(), e);
        }
        dmaMappings.add(new long[] {iova, size});
    }

    @Override
    public synchronized void dmaUnmap(long iova, long size) {
        container.unmapDma(iova, size);
        dmaMappings.removeIf(m -> m[0] == iova && m[1] == size);
    }

    /** Removes DMA mappings, then closes device, group and container: the device can be opened again. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (long[] m : List.copyOf(dmaMappings)) {
            try {
                container.unmapDma(m[0], m[1]);
            } catch (VfioException e) {
                log.warn("{}: {}", address, e.getMessage());
            }
        }
        dmaMappings.clear();
        closeAll(device, group, container);
    }
}
