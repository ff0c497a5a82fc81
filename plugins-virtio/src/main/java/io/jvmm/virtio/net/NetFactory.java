package io.jvmm.virtio.net;

import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceContext;
import io.jvmm.spi.DeviceException;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.spi.SpiVersion;
import io.jvmm.virtio.pci.VirtioPciDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Device type {@code virtio-net}: a virtio network card on a host tap. See {@link NetConfig}. */
public final class NetFactory implements DeviceFactory {
    private static final Logger LOG = LoggerFactory.getLogger(NetFactory.class);

    @Override
    public String type() {
        return "virtio-net";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public String description() {
        return "virtio network card on a host tap interface (mac, mtu, checksum/TSO offloads)";
    }

    @Override
    public Device create(DeviceConfig config, DeviceContext context) throws DeviceException {
        NetConfig settings = NetConfig.from(config);
        Tap tap = Tap.open(settings.tap(), NetHeader.SIZE);
        try {
            if (tap.created()) {
                LOG.warn("{}: tap {} did not exist, so jvmm created it; it goes away "
                        + "when jvmm exits. Give it an address and bring it up on the host (ip addr add ... dev {}; "
                        + "ip link set {} up), or create it beforehand with: ip tuntap add dev {} mode tap",
                        config.id(), settings.tap(), settings.tap(), settings.tap(), settings.tap());
            }
            return new VirtioPciDevice(config.id(), new VirtioNet(config.id(), tap, settings), context);
        } catch (RuntimeException e) {
            tap.close();
            throw e;
        }
    }
}
