package io.jvmm.virtio.block;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The virtio-blk device configuration layout (virtio 1.2, 5.2.4), up to and including
 * {@code write_zeroes_may_unmap}; the secure-erase fields after it are not offered. Read-only
 * for the driver: without VIRTIO_BLK_F_CONFIG_WCE nothing in it is writable.
 *
 * @param capacitySectors      {@code capacity}, in 512-byte sectors
 * @param sizeMax              {@code size_max}: largest single segment in bytes
 * @param segMax               {@code seg_max}: most data segments in one request
 * @param blockSize            {@code blk_size}: logical block size in bytes
 * @param numQueues            {@code num_queues} (VIRTIO_BLK_F_MQ)
 * @param maxDiscardSectors    {@code max_discard_sectors}
 * @param maxDiscardSegments   {@code max_discard_seg}
 * @param discardAlignment     {@code discard_sector_alignment}, in sectors
 * @param maxZeroesSectors     {@code max_write_zeroes_sectors}
 * @param maxZeroesSegments    {@code max_write_zeroes_seg}
 * @param zeroesMayUnmap       {@code write_zeroes_may_unmap}
 */
record BlockConfigSpace(long capacitySectors, int sizeMax, int segMax, int blockSize, int numQueues,
                        int maxDiscardSectors, int maxDiscardSegments, int discardAlignment,
                        int maxZeroesSectors, int maxZeroesSegments, boolean zeroesMayUnmap) {
    /** Bytes through {@code unused1[3]}. */
    static final int SIZE = 60;

    byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, capacitySectors);
        b.putInt(8, sizeMax);
        b.putInt(12, segMax);
        // 16: geometry (cylinders, heads, sectors) left zero: VIRTIO_BLK_F_GEOMETRY is not offered.
        b.putInt(20, blockSize);
        // 24: topology, not offered; 32: writeback, 33: unused0.
        b.putShort(34, (short) numQueues);
        b.putInt(36, maxDiscardSectors);
        b.putInt(40, maxDiscardSegments);
        b.putInt(44, discardAlignment);
        b.putInt(48, maxZeroesSectors);
        b.putInt(52, maxZeroesSegments);
        b.put(56, (byte) (zeroesMayUnmap ? 1 : 0));
        return b.array();
    }
}
