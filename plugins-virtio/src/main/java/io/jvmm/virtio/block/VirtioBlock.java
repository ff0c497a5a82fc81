package io.jvmm.virtio.block;

import io.jvmm.spi.Snapshottable.StateException;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.VirtioActivation;
import io.jvmm.virtio.VirtioDevice;
import io.jvmm.virtio.VirtioIds;
import io.jvmm.virtio.VirtioQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtio block device (virtio 1.2, 5.2) over a raw {@link DiskImage}: one worker per
 * request queue, each completing requests in order and signalling the driver once per batch
 * (and every {@value #SIGNAL_EVERY} requests, so a long batch does not hold back completions).
 */
final class VirtioBlock implements VirtioDevice {
    /** Feature bits, virtio 1.2, 5.2.3. */
    static final int F_SIZE_MAX = 1;
    static final int F_SEG_MAX = 2;
    static final int F_RO = 5;
    static final int F_BLK_SIZE = 6;
    static final int F_FLUSH = 9;
    static final int F_MQ = 12;
    static final int F_DISCARD = 13;
    static final int F_WRITE_ZEROES = 14;

    static final int QUEUE_SIZE = 256;
    /** Largest single segment: a Linux request is at most 1.25 MiB (BLK_DEF_MAX_SECTORS) anyway. */
    static final int SIZE_MAX = 1 << 20;
    /** 2 GiB per discard or write-zeroes range, in sectors. */
    static final int MAX_RANGE_SECTORS = 1 << 22;
    static final int MAX_RANGES = 32;
    /** Discard granularity, in sectors: the 4 KiB blocks host file systems allocate. */
    static final int DISCARD_ALIGNMENT = 8;
    private static final int SIGNAL_EVERY = 16;
    private static final Logger LOG = LoggerFactory.getLogger(VirtioBlock.class);

    private final String id;
    private final DiskImage image;
    private final BlockConfig config;
    private final byte[] configSpace;
    private final BlockRequestHandler.Limits limits;

    VirtioBlock(String id, DiskImage image, BlockConfig config) {
        this.id = id;
        this.image = image;
        this.config = config;
        long capacity = image.size() / DiskImage.SECTOR;
        // 5.2.4: seg_max leaves room for the header and status descriptors of a direct chain.
        this.configSpace = new BlockConfigSpace(capacity, SIZE_MAX, QUEUE_SIZE - 2, DiskImage.SECTOR,
                config.queues(), MAX_RANGE_SECTORS, MAX_RANGES, DISCARD_ALIGNMENT, MAX_RANGE_SECTORS, MAX_RANGES,
                true).toBytes();
        this.limits = new BlockRequestHandler.Limits(capacity, config.serial(), MAX_RANGE_SECTORS, MAX_RANGES,
                MAX_RANGE_SECTORS, MAX_RANGES, true);
    }

    @Override
    public int deviceType() {
        return VirtioIds.BLOCK;
    }

    @Override
    public long deviceFeatures() {
        long f = bit(F_SIZE_MAX) | bit(F_SEG_MAX) | bit(F_BLK_SIZE) | bit(F_FLUSH);
        if (image.readOnly()) {
            f |= bit(F_RO);
        } else {
            f |= bit(F_DISCARD) | bit(F_WRITE_ZEROES);
        }
        if (config.queues() > 1) {
            f |= bit(F_MQ);
        }
        return f;
    }

    @Override
    public int queueCount() {
        return config.queues();
    }

    @Override
    public int queueMaxSize(int index) {
        return QUEUE_SIZE;
    }

    @Override
    public int configSize() {
        return BlockConfigSpace.SIZE;
    }

    @Override
    public void readConfig(int offset, byte[] data) {
        System.arraycopy(configSpace, offset, data, 0, data.length);
    }

    @Override
    public void activate(VirtioActivation activation) {
        // Without VIRTIO_BLK_F_MQ the driver uses queue 0 only (5.2.2).
        int queues = activation.hasFeature(F_MQ) ? config.queues() : 1;
        for (int i = 0; i < queues; i++) {
            VirtioQueue q = activation.queue(i);
            if (q.enabled()) {
                BlockRequestHandler handler = new BlockRequestHandler(image, limits);
                activation.startWorker("blk-q" + i, () -> serve(activation, q, handler));
            }
        }
    }

    private void serve(VirtioActivation activation, VirtioQueue q, BlockRequestHandler handler) {
        do {
            int done = 0;
            DescriptorChain chain;
            while ((chain = q.pop()) != null) {
                int written;
                try {
                    written = handler.handle(chain);
                } catch (BlockRequestHandler.NoStatusByteException e) {
                    // Nowhere to report the error: the driver is broken (2.1.2).
                    activation.needsReset(e.getMessage());
                    return;
                }
                q.addUsed(chain, written);
                if (++done % SIGNAL_EVERY == 0) {
                    q.signalUsed();
                }
            }
            q.signalUsed();
        } while (q.awaitNotification());
    }

    @Override
    public boolean snapshottable() {
        return true;
    }

    @Override
    public byte[] saveState() {
        return currentState().encode();
    }

    /**
     * The image was opened again from the config when this device was created; refuse unless it
     * is the disk the snapshot was taken with. A missing image never gets here: opening it in the
     * factory already failed, naming the file.
     */
    @Override
    public void restoreState(byte[] state) throws StateException {
        String mismatch = BlockState.decode(state).mismatch(currentState());
        if (mismatch != null) {
            throw new StateException(mismatch);
        }
    }

    private BlockState currentState() {
        return new BlockState(image.path().toAbsolutePath().toString(), image.readOnly(), config.serial(),
                image.size(), config.queues());
    }

    @Override
    public void reset() {
        // The transport stops the queues and joins the workers; a request in flight finishes
        // its (bounded) file I/O first. Nothing negotiated is kept here.
    }

    @Override
    public void close() {
        image.close();
    }

    @Override
    public String toString() {
        return "virtio-blk " + id + " (" + image.path() + (image.readOnly() ? ", read-only" : "")
                + (image.direct() ? ", O_DIRECT" : "") + ")";
    }

    static long bit(int n) {
        return 1L << n;
    }

    static void warnIfPartialSector(String id, DiskImage image) {
        if (image.size() % DiskImage.SECTOR != 0) {
            LOG.warn("{}: {} is {} bytes, not a multiple of 512; the guest sees "
                    + "only the whole sectors", id, image.path(), image.size());
        }
    }
}
