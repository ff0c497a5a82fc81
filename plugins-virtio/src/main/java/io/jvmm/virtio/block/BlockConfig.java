package io.jvmm.virtio.block;

import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A {@code virtio-blk} device's settings, read from its {@code [[device]]} table.
 *
 * <pre>
 * [[device]]
 * type = "virtio-blk"
 * path = "disk.img"     # required: a raw image file or a host block device
 * readonly = false      # VIRTIO_BLK_F_RO: the guest cannot write
 * serial = "disk0"      # VIRTIO_BLK_T_GET_ID answer, at most 20 bytes; default: the device id
 * queues = 1            # request queues (VIRTIO_BLK_F_MQ when more than 1), 1 to 16
 * direct = false        # open the image with O_DIRECT (bypass the host page cache)
 * </pre>
 *
 * @param path     the image
 * @param readOnly the guest may not write
 * @param serial   the id string, 1 to 20 bytes of UTF-8
 * @param queues   number of request queues
 * @param direct   O_DIRECT
 */
record BlockConfig(Path path, boolean readOnly, byte[] serial, int queues, boolean direct) {
    /** virtio 1.2, 5.2.6: VIRTIO_BLK_ID_BYTES. */
    static final int ID_BYTES = 20;
    static final int MAX_QUEUES = 16;

    /** Reads every key this device knows; the VMM rejects any other key in the table. */
    static BlockConfig from(DeviceConfig config) {
        Path path = config.requirePath("path");
        boolean readOnly = config.bool("readonly").orElse(false);
        String serial = config.string("serial").orElse(null);
        long queues = config.integer("queues").orElse(1L);
        boolean direct = config.bool("direct").orElse(false);
        if (queues < 1 || queues > MAX_QUEUES) {
            throw new DeviceConfigException("queues", "= " + queues + ": expected 1 to " + MAX_QUEUES);
        }
        byte[] id;
        if (serial == null) {
            id = truncate(config.id().getBytes(StandardCharsets.UTF_8));
        } else {
            id = serial.getBytes(StandardCharsets.UTF_8);
            if (id.length == 0 || id.length > ID_BYTES) {
                throw new DeviceConfigException("serial", "= \"" + serial + "\" is " + id.length
                        + " bytes: expected 1 to " + ID_BYTES + " bytes (virtio-blk's GET_ID limit)");
            }
        }
        return new BlockConfig(path, readOnly, id, (int) queues, direct);
    }

    private static byte[] truncate(byte[] b) {
        return b.length <= ID_BYTES ? b : java.util.Arrays.copyOf(b, ID_BYTES);
    }

    @Override
    public byte[] serial() {
        return serial.clone();
    }
}
