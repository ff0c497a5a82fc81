package io.jvmm.virtio.block;

import io.jvmm.spi.Snapshottable.StateException;
import io.jvmm.virtio.StateCodec;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A virtio-blk device's own snapshot record: which image it served and what the guest was told
 * about it. On restore the image is opened again from the config; this record is what makes
 * sure it is still the same disk (same file, same size, same read-only flag and serial).
 *
 * @param path     the image file, as opened
 * @param readOnly VIRTIO_BLK_F_RO
 * @param serial   the GET_ID bytes
 * @param size     the image's size in bytes when the snapshot was taken
 * @param queues   the number of request queues
 */
record BlockState(String path, boolean readOnly, byte[] serial, long size, int queues) {
    static final int VERSION = 1;
    private static final String WHAT = "virtio-blk state";

    byte[] encode() {
        return new StateCodec.Writer().putInt(VERSION).putString(path).putBoolean(readOnly).putBytes(serial)
                .putLong(size).putInt(queues).toByteArray();
    }

    static BlockState decode(byte[] data) throws StateException {
        StateCodec.Reader r = StateCodec.open(WHAT, data, VERSION);
        BlockState s = new BlockState(r.getString("path"), r.getBoolean("readonly"), r.getBytes("serial"),
                r.getLong("size"), r.getInt("queues"));
        r.end();
        return s;
    }

    /** Why {@code now} (the device as re-opened from the config) is not the disk this state was saved from, or null. */
    String mismatch(BlockState now) {
        if (!path.equals(now.path)) {
            return "the snapshot used disk image " + path + ", the config now names " + now.path;
        }
        if (size != now.size) {
            return "disk image " + path + " is " + now.size + " bytes now but was " + size + " bytes when the "
                    + "snapshot was taken: it was replaced or resized, and the guest's view of it would be wrong";
        }
        if (readOnly != now.readOnly) {
            return "disk image " + path + " was " + (readOnly ? "read-only" : "writable") + " in the snapshot and is "
                    + (now.readOnly ? "read-only" : "writable") + " now";
        }
        if (!Arrays.equals(serial, now.serial)) {
            return "disk " + path + " had serial " + HexFormat.of().formatHex(serial) + " in the snapshot, "
                    + HexFormat.of().formatHex(now.serial) + " now";
        }
        if (queues != now.queues) {
            return "disk " + path + " had " + queues + " queues in the snapshot, " + now.queues + " now";
        }
        return null;
    }

    @Override
    public byte[] serial() {
        return serial.clone();
    }
}
