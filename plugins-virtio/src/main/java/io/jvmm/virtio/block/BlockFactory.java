package io.jvmm.virtio.block;

import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceContext;
import io.jvmm.spi.DeviceException;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.spi.SpiVersion;
import io.jvmm.virtio.pci.VirtioPciDevice;

/** Device type {@code virtio-blk}: a raw disk image as a virtio block device. See {@link BlockConfig}. */
public final class BlockFactory implements DeviceFactory {
    @Override
    public String type() {
        return "virtio-blk";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public String description() {
        return "virtio block device on a raw image file (readonly, serial, queues, direct I/O, discard)";
    }

    @Override
    public Device create(DeviceConfig config, DeviceContext context) throws DeviceException {
        BlockConfig settings = BlockConfig.from(config);
        if (context.restoring() && !java.nio.file.Files.exists(settings.path())) {
            // Creating an empty image, as the fresh-boot hint says, would hand the restored guest
            // a disk that is not the one it had: say what restore needs instead.
            throw new DeviceException("the disk image " + settings.path() + " is gone; a snapshot can only be "
                    + "restored with the disk image it was taken with: put it back");
        }
        DiskImage image = DiskImage.open(settings.path(), settings.readOnly(), settings.direct());
        try {
            VirtioBlock.warnIfPartialSector(config.id(), image);
            return new VirtioPciDevice(config.id(), new VirtioBlock(config.id(), image, settings), context);
        } catch (RuntimeException e) {
            image.close();
            throw e;
        }
    }
}
