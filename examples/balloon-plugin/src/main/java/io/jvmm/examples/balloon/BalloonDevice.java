package io.jvmm.examples.balloon;

import io.jvmm.spi.DeviceCommand;
import io.jvmm.spi.DeviceCommandException;
import io.jvmm.spi.DeviceCommands;
import io.jvmm.spi.GuestMemory;
import io.jvmm.virtio.BadChainException;
import io.jvmm.virtio.ChainReader;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.VirtioActivation;
import io.jvmm.virtio.VirtioDevice;
import io.jvmm.virtio.VirtioIds;
import io.jvmm.virtio.VirtioQueue;
import java.util.List;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The traditional memory balloon (virtio 1.2, 5.5): the host sets a target ({@code num_pages})
 * and the guest gives that many 4 KiB pages to the host, one PFN array per buffer on the
 * inflate queue, takes them back on the deflate queue, and reports how many it holds in
 * {@code actual}.
 *
 * <p>The pages are recorded, not released: the SPI offers a device no way to drop guest
 * pages on the host (madvise(MADV_DONTNEED) on guest RAM), so the host's memory use does not
 * shrink. The guest's does: Linux's virtio_balloon takes the pages out of its MemTotal.
 *
 * <p>Two queues only: no VIRTIO_BALLOON_F_STATS_VQ, FREE_PAGE_HINT or PAGE_REPORTING, so
 * the driver asks for no more (5.5.2). VIRTIO_BALLOON_F_MUST_TELL_HOST is offered: the driver
 * then tells the device before it reuses a deflated page, which Linux does anyway.
 */
public final class BalloonDevice implements VirtioDevice, DeviceCommands {
    static final int INFLATE_QUEUE = 0;
    static final int DEFLATE_QUEUE = 1;
    /** Feature bits (5.5.3). */
    static final int F_MUST_TELL_HOST = 0;
    /** struct virtio_balloon_config: le32 num_pages, le32 actual (5.5.4). */
    static final int CONFIG_SIZE = 8;
    static final long PAGES_PER_MIB = (1 << 20) / BalloonPages.PAGE_SIZE;
    private static final int QUEUE_SIZE = 256;
    private static final Logger LOG = LoggerFactory.getLogger(BalloonDevice.class);

    private final String id;
    private final long ramMib;
    private final BalloonPages pages;
    private volatile int numPages;
    private volatile int actual;
    private volatile VirtioActivation activation;

    /**
     * @param targetPages the initial num_pages (the driver inflates to it as soon as it binds)
     */
    public BalloonDevice(String id, GuestMemory memory, int targetPages) {
        this.id = id;
        this.ramMib = memory.size() >> 20;
        this.pages = new BalloonPages(memory);
        this.numPages = targetPages;
    }

    @Override
    public int deviceType() {
        return VirtioIds.BALLOON;
    }

    @Override
    public long deviceFeatures() {
        return 1L << F_MUST_TELL_HOST;
    }

    @Override
    public int queueCount() {
        return 2;
    }

    @Override
    public int queueMaxSize(int index) {
        return QUEUE_SIZE;
    }

    @Override
    public int configSize() {
        return CONFIG_SIZE;
    }

    private byte[] config() {
        byte[] c = new byte[CONFIG_SIZE];
        putLe32(c, 0, numPages);
        putLe32(c, 4, actual);
        return c;
    }

    @Override
    public void readConfig(int offset, byte[] data) {
        System.arraycopy(config(), offset, data, 0, data.length);
    }

    /** The driver writes {@code actual}; {@code num_pages} is the device's (5.5.6.1) and stays. */
    @Override
    public synchronized void writeConfig(int offset, byte[] data) {
        byte[] c = config();
        System.arraycopy(data, 0, c, offset, data.length);
        int before = actual;
        actual = getLe32(c, 4);
        if (actual != before) {
            LOG.debug("{}: the guest's balloon holds {} pages (target {})", id, Integer.toUnsignedLong(actual), numPages);
            if (actual == numPages) {
                LOG.info("{}: the guest's balloon reached its target of {} MiB ({} pages)", id, mib(actual), actual);
            }
        }
    }

    @Override
    public void activate(VirtioActivation activation) {
        VirtioQueue inflate = activation.queue(INFLATE_QUEUE);
        VirtioQueue deflate = activation.queue(DEFLATE_QUEUE);
        activation.startWorker("inflate", () -> serve(activation, inflate, pages::inflate));
        activation.startWorker("deflate", () -> serve(activation, deflate, pages::deflate));
        // Set last: a target set before this line is in num_pages, which the driver reads after
        // DRIVER_OK; one set after it gets a config-change interrupt.
        this.activation = activation;
    }

    /** Takes each buffer's PFN array (le32 each, 5.5.6) and returns it with nothing written. */
    private void serve(VirtioActivation activation, VirtioQueue queue, LongPredicate apply) {
        while (queue.awaitNotification()) {
            DescriptorChain chain;
            while ((chain = queue.pop()) != null) {
                ChainReader reader = chain.reader();
                try {
                    for (long n = chain.readableBytes() / 4; n > 0; n--) {
                        long pfn = Integer.toUnsignedLong(reader.readInt());
                        if (!apply.test(pfn)) {
                            activation.needsReset("PFN 0x" + Long.toHexString(pfn) + " on the "
                                    + (queue.index() == INFLATE_QUEUE ? "inflate" : "deflate") + " queue is not guest RAM");
                            return;
                        }
                    }
                } catch (BadChainException e) {
                    activation.needsReset(e.getMessage());
                    return;
                }
                queue.addUsed(chain, 0);
            }
            queue.signalUsed();
        }
    }

    @Override
    public synchronized void reset() {
        activation = null;
        pages.clear();
        actual = 0;
    }

    // ---- runtime commands

    @Override
    public List<DeviceCommand> commands() {
        return List.of(
                new DeviceCommand("target", "MIB", "ask the guest to give MIB MiB of its RAM to the host (0 gives all back)",
                        this::target),
                new DeviceCommand("status", "", "the target, what the guest reports and how many pages it gave back",
                        args -> status()));
    }

    private String target(List<String> args) throws DeviceCommandException {
        if (args.size() != 1) {
            throw new DeviceCommandException("usage: target MIB (a whole number of MiB, 0 to " + ramMib + ")");
        }
        long mib;
        try {
            mib = Long.parseLong(args.get(0));
        } catch (NumberFormatException e) {
            throw new DeviceCommandException("'" + args.get(0) + "' is not a whole number of MiB");
        }
        if (mib < 0 || mib > ramMib) {
            throw new DeviceCommandException("a target of " + mib + " MiB is outside 0 to " + ramMib + " MiB (guest RAM)");
        }
        numPages = (int) (mib * PAGES_PER_MIB);
        VirtioActivation a = activation;
        if (a != null) {
            a.configChanged(); // virtio 1.2, 5.5.6.1: the device raises it when num_pages changes
        }
        return "target " + mib + " MiB (" + numPages + " pages)" + (a == null ? "; no driver yet, it reads it when it binds" : "");
    }

    String status() {
        long inBalloon = pages.count();
        return "target " + mib(numPages) + " MiB (" + numPages + " pages), the guest reports " + mib(actual) + " MiB ("
                + Integer.toUnsignedLong(actual) + " pages), pages in the balloon " + inBalloon + " (" + inBalloon / PAGES_PER_MIB
                + " MiB; given " + pages.inflatedTotal() + ", taken back " + pages.deflatedTotal()
                + "); host memory is not released";
    }

    private static long mib(int pages) {
        return Integer.toUnsignedLong(pages) / PAGES_PER_MIB;
    }

    private static void putLe32(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    private static int getLe32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }
}
