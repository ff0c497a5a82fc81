package io.jvmm.virtio.block;

import io.jvmm.virtio.BadChainException;
import io.jvmm.virtio.ChainReader;
import io.jvmm.virtio.ChainWriter;
import io.jvmm.virtio.DescriptorChain;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Executes virtio-blk requests (virtio 1.2, 5.2.6) against a {@link DiskImage}. A request is a
 * 16-byte header ({@code type}, {@code reserved}, {@code sector}) and any driver data in the
 * readable buffers, then any device data and the status byte, the last writable byte. The
 * split into descriptors is not assumed (2.6.4 message framing).
 *
 * <p>Every request gets a status: an I/O error is VIRTIO_BLK_S_IOERR for that request only,
 * an unknown type VIRTIO_BLK_S_UNSUPP. One handler per queue worker (it reuses a native
 * iovec); the image is shared.
 */
final class BlockRequestHandler {
    static final int T_IN = 0;
    static final int T_OUT = 1;
    static final int T_FLUSH = 4;
    static final int T_GET_ID = 8;
    static final int T_DISCARD = 11;
    static final int T_WRITE_ZEROES = 13;
    static final byte S_OK = 0;
    static final byte S_IOERR = 1;
    static final byte S_UNSUPP = 2;
    static final int HEADER = 16;
    /** struct virtio_blk_discard_write_zeroes: le64 sector, le32 num_sectors, le32 flags. */
    static final int RANGE = 16;
    static final int RANGE_F_UNMAP = 1;

    /** What the handler needs to know about the device beyond the image. */
    record Limits(long capacitySectors, byte[] serial, int maxDiscardSectors, int maxDiscardSegments,
                  int maxZeroesSectors, int maxZeroesSegments, boolean zeroesMayUnmap) {
    }

    /** Thrown for a chain with no writable byte: there is nowhere to put a status. */
    static final class NoStatusByteException extends BadChainException {
        NoStatusByteException(DescriptorChain chain) {
            super("virtio-blk request without a status byte: " + chain);
        }
    }

    private final DiskImage image;
    private final Limits limits;
    private final IoVec iov = new IoVec();

    BlockRequestHandler(DiskImage image, Limits limits) {
        this.image = image;
        this.limits = limits;
    }

    /**
     * Runs one request and writes its status.
     *
     * @return bytes written into the chain's writable buffers, for the used ring
     * @throws NoStatusByteException when the chain has no writable byte for the status
     */
    int handle(DescriptorChain chain) {
        long writable = chain.writableBytes();
        if (writable < 1) {
            throw new NoStatusByteException(chain);
        }
        ChainReader r = chain.reader();
        if (r.remaining() < HEADER) {
            return finish(chain, S_IOERR);
        }
        int type = r.readInt();
        r.readInt(); // reserved (ioprio in legacy drivers)
        long sector = r.readLong();
        try {
            return switch (type) {
                case T_IN -> read(chain, sector, writable - 1);
                case T_OUT -> write(chain, r, sector);
                case T_FLUSH -> {
                    image.flush();
                    yield finish(chain, S_OK);
                }
                case T_GET_ID -> getId(chain, writable - 1);
                case T_DISCARD, T_WRITE_ZEROES -> ranges(chain, r, type == T_DISCARD);
                default -> finish(chain, S_UNSUPP);
            };
        } catch (IOException | BadChainException e) {
            // BadChainException here: data buffers outside RAM or not mappable; still a status byte.
            return finish(chain, S_IOERR);
        }
    }

    private int read(DescriptorChain chain, long sector, long length) throws IOException {
        if (!inRange(sector, length)) {
            return finish(chain, S_IOERR);
        }
        ChainWriter w = chain.writer();
        ByteBuffer[] data = w.slices((int) length);
        image.read(iov.set(data), sector * DiskImage.SECTOR);
        w.writeByte(S_OK);
        return w.written();
    }

    private int write(DescriptorChain chain, ChainReader r, long sector) throws IOException {
        long length = r.remaining();
        if (image.readOnly() || !inRange(sector, length)) {
            // 5.2.6.2: a write to a VIRTIO_BLK_F_RO device fails with IOERR and writes nothing.
            return finish(chain, S_IOERR);
        }
        image.write(iov.set(r.slices((int) length)), sector * DiskImage.SECTOR);
        return finish(chain, S_OK);
    }

    private int getId(DescriptorChain chain, long room) {
        ChainWriter w = chain.writer();
        byte[] id = new byte[BlockConfig.ID_BYTES]; // NUL-padded, no NUL when 20 bytes long
        byte[] serial = limits.serial();
        System.arraycopy(serial, 0, id, 0, serial.length);
        int n = (int) Math.min(room, id.length);
        w.write(id, 0, n);
        w.skip(room - n);
        w.writeByte(S_OK);
        return w.written();
    }

    private int ranges(DescriptorChain chain, ChainReader r, boolean discard) throws IOException {
        int count = r.remaining() / RANGE;
        if (image.readOnly() || count == 0 || r.remaining() % RANGE != 0
                || count > (discard ? limits.maxDiscardSegments() : limits.maxZeroesSegments())) {
            return finish(chain, S_IOERR);
        }
        long[] sectors = new long[count];
        long[] lengths = new long[count];
        boolean[] unmap = new boolean[count];
        for (int i = 0; i < count; i++) {
            sectors[i] = r.readLong();
            lengths[i] = Integer.toUnsignedLong(r.readInt());
            int flags = r.readInt();
            // 5.2.6.2: unknown flags, or unmap on a discard, are VIRTIO_BLK_S_UNSUPP.
            if ((flags & ~RANGE_F_UNMAP) != 0 || (discard && flags != 0)) {
                return finish(chain, S_UNSUPP);
            }
            unmap[i] = (flags & RANGE_F_UNMAP) != 0 && limits.zeroesMayUnmap();
            long max = discard ? limits.maxDiscardSectors() : limits.maxZeroesSectors();
            if (lengths[i] > Integer.toUnsignedLong((int) max) || !inRange(sectors[i], lengths[i] * DiskImage.SECTOR)) {
                return finish(chain, S_IOERR);
            }
        }
        for (int i = 0; i < count; i++) {
            long offset = sectors[i] * DiskImage.SECTOR;
            long bytes = lengths[i] * DiskImage.SECTOR;
            if (discard) {
                image.discard(offset, bytes);
            } else {
                image.writeZeroes(offset, bytes, unmap[i]);
            }
        }
        return finish(chain, S_OK);
    }

    /** Data moves in whole sectors inside the disk (5.2.6.1: a multiple of 512 bytes). */
    private boolean inRange(long sector, long bytes) {
        if (bytes % DiskImage.SECTOR != 0 || bytes > Integer.MAX_VALUE || sector < 0) {
            return false;
        }
        long sectors = bytes / DiskImage.SECTOR;
        return sector <= limits.capacitySectors() && sectors <= limits.capacitySectors() - sector;
    }

    /**
     * Puts {@code status} in the last writable byte and returns 1: used.len counts the bytes
     * the device wrote (virtio 1.2, 2.7.8), and a request that ends here wrote only its status
     * (5.2.6), not the data buffers it skipped.
     */
    private static int finish(DescriptorChain chain, byte status) {
        ChainWriter w = chain.writer();
        w.skip(chain.writableBytes() - 1);
        w.writeByte(status);
        return 1;
    }
}
