package io.jvmm.virtio.rng;

import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceContext;
import io.jvmm.spi.DeviceException;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.spi.SpiVersion;
import io.jvmm.virtio.pci.VirtioPciDevice;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Device type {@code virtio-rng}: a virtio entropy device (virtio 1.2, 5.4) on PCI.
 *
 * <pre>
 * [[device]]
 * type = "virtio-rng"
 * source = "/dev/urandom"   # optional; a character device, or a file read round and round
 * </pre>
 */
public final class RngDeviceFactory implements DeviceFactory {
    static final Path DEFAULT_SOURCE = Path.of("/dev/urandom");

    @Override
    public String type() {
        return "virtio-rng";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public String description() {
        return "virtio entropy device (virtio-rng-pci), fed from /dev/urandom or the file in 'source'";
    }

    @Override
    public Device create(DeviceConfig config, DeviceContext context) throws DeviceException {
        Path source = config.path("source").orElse(DEFAULT_SOURCE);
        FileChannel channel;
        try {
            channel = FileChannel.open(source, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new DeviceException("virtio-rng: cannot open the entropy source " + source + " for reading: "
                    + e.getMessage() + " (check the path in 'source' and its permissions)", e);
        }
        boolean regularFile = Files.isRegularFile(source);
        return new VirtioPciDevice(config.id(), new RngDevice(channel, regularFile), context);
    }
}
