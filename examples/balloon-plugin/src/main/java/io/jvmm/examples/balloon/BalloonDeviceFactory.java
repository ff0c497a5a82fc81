package io.jvmm.examples.balloon;

import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceConfigException;
import io.jvmm.spi.DeviceContext;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.spi.SpiVersion;
import io.jvmm.virtio.pci.VirtioPciDevice;

/**
 * Device type {@code virtio-balloon}: a virtio memory balloon (virtio 1.2, 5.5) on PCI, listed
 * in META-INF/services/io.jvmm.spi.DeviceFactory. In a VM config:
 * <pre>
 * [[device]]
 * type = "virtio-balloon"
 * id = "balloon0"
 * target = "0M"     # optional: what the guest gives back as soon as its driver binds
 * </pre>
 * While the VM runs, {@code device balloon0 target 64} (shell or control pipe) changes it and
 * {@code device balloon0 status} shows it.
 */
public final class BalloonDeviceFactory implements DeviceFactory {
    @Override
    public String type() {
        return "virtio-balloon";
    }

    @Override
    public String description() {
        return "virtio memory balloon (virtio-balloon-pci); runtime commands 'target MIB' and 'status'";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public Device create(DeviceConfig config, DeviceContext context) {
        long target = config.size("target").orElse(0L);
        long ram = context.guestMemory().size();
        if (target < 0 || target > ram) {
            throw new DeviceConfigException("target", "must be between 0 and the guest's RAM (" + (ram >> 20) + " MiB), not "
                    + target + " bytes");
        }
        int pages = (int) (target / BalloonPages.PAGE_SIZE);
        return new VirtioPciDevice(config.id(), new BalloonDevice(config.id(), context.guestMemory(), pages), context);
    }
}
