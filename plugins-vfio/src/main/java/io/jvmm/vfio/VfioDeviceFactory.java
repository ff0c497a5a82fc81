package io.jvmm.vfio;

import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceConfigException;
import io.jvmm.spi.DeviceContext;
import io.jvmm.spi.DeviceException;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.spi.RamRegion;
import io.jvmm.spi.SpiVersion;
import io.jvmm.vfio.backend.BackendException;
import io.jvmm.vfio.kernel.KernelVfioBackend;
import io.jvmm.vfio.kernel.VfioHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Device type {@code vfio}: a host PCI function bound to vfio-pci, passed through to the guest.
 *
 * <pre>
 * [[device]]
 * type = "vfio"
 * host = "0000:00:04.0"     # or "00:04.0", or its sysfs path /sys/bus/pci/devices/0000:00:04.0
 * </pre>
 */
public final class VfioDeviceFactory implements DeviceFactory {
    private static final Logger log = LoggerFactory.getLogger(VfioDeviceFactory.class);

    private final VfioHost host;

    public VfioDeviceFactory() {
        this(VfioHost.system());
    }

    VfioDeviceFactory(VfioHost host) {
        this.host = host;
    }

    @Override
    public String type() {
        return "vfio";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public String description() {
        return "VFIO PCI passthrough: a host PCI function bound to vfio-pci (host = \"0000:00:04.0\")";
    }

    @Override
    public Device create(DeviceConfig config, DeviceContext context) throws DeviceException {
        String spec = config.requireString("host");
        String address = VfioHost.parseAddress(spec).orElseThrow(() -> new DeviceConfigException("host",
                "= \"" + spec + "\": expected a PCI address such as \"0000:00:04.0\" or \"00:04.0\", or its sysfs path"));
        try {
            // Host checks that need no VM first, so 'jvmm check' reports them too.
            host.locate(address);
        } catch (BackendException e) {
            throw new DeviceException(e.getMessage(), e);
        }
        List<RamRegion> ram = context.ramRegions();
        long ramBytes = ram.stream().mapToLong(RamRegion::size).sum();
        KernelVfioBackend backend;
        try {
            backend = KernelVfioBackend.open(host, address, ramBytes);
        } catch (BackendException e) {
            throw new DeviceException(e.getMessage(), e);
        }
        try {
            if (!context.addVfioGroup(backend.groupFd())) {
                log.debug("{}: VFIO group not registered with KVM (no KVM-VFIO device); going on", config.id());
            }
            return VfioPciDevice.create(config.id(), backend, context.interrupts(), context.memoryMapper(), ram);
        } catch (BackendException e) {
            backend.close();
            throw new DeviceException(e.getMessage(), e);
        } catch (RuntimeException e) {
            backend.close();
            throw new DeviceException(address + ": passthrough setup failed: " + e.getMessage(), e);
        }
    }
}
