package io.jvmm.virtio.net;

import com.sun.jna.LastErrorException;
import io.jvmm.virtio.BadChainException;
import io.jvmm.virtio.ChainWriter;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.VirtioQueue;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves frames from the tap into the receive queue (virtio 1.2, 5.1.6.3 and 5.1.6.4).
 *
 * <p>The tap is read straight into guest buffers: the worker takes enough chains off the queue
 * for the largest frame the negotiated offloads allow (one chain without
 * VIRTIO_NET_F_MRG_RXBUF, since then the driver posts chains big enough for any frame), hands
 * their buffers to one {@code readv}, and returns as many chains as the frame filled, with
 * {@code num_buffers} set in the header. Chains left unfilled stay with the worker for the
 * next frame, so no chain is ever put back. The tap is read only when there are guest buffers:
 * frames wait in the tap's queue (and the host drops them when it overflows), never in jvmm.
 *
 * <p>What the worker holds is bounded by the queue ({@link io.jvmm.virtio.queue.ChainBudget}):
 * at most queue-size chains (a head cannot be taken twice before it is used), each kept as its
 * compact parsed form only. The direct views for {@code readv} are made per frame, at most
 * {@link IoVec#IOV_MAX} of them, and dropped after it.
 */
final class RxWorker implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(RxWorker.class);
    /** Signal the driver at least this often while frames keep coming. */
    private static final int SIGNAL_EVERY = 64;

    /** A chain taken from the queue and not yet filled. */
    private record Held(DescriptorChain chain, long capacity) {
    }

    private final Tap tap;
    private final VirtioQueue queue;
    private final boolean mergeable;
    private final boolean guestCsum;
    private final int maxPacket;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private final IoVec iov = new IoVec();
    private final Poller poller;
    private long heldBytes;
    private boolean ranDry;
    private long dropped;

    RxWorker(Tap tap, VirtioQueue queue, long features, int mtu) {
        this.tap = tap;
        this.queue = queue;
        this.mergeable = NetFeatures.has(features, NetFeatures.MRG_RXBUF);
        this.guestCsum = NetFeatures.has(features, NetFeatures.GUEST_CSUM);
        this.maxPacket = NetFeatures.maxRxPacket(features, mtu);
        this.poller = new Poller(tap.fd(), queue.notifier().fd());
        poller.want(1, LibC.POLLIN);
    }

    @Override
    public void run() {
        int sinceSignal = 0;
        while (!queue.stopped()) {
            takeChains();
            if (!haveRoom()) {
                queue.signalUsed();
                sinceSignal = 0;
                await(false);
                continue;
            }
            long n = readFrame();
            if (n == 0) {
                // The tap is empty: tell the driver about what arrived, then sleep until a frame
                // comes or the queue is kicked (new buffers, or the queue is stopping).
                queue.signalUsed();
                sinceSignal = 0;
                await(true);
                continue;
            }
            if (n > 0) {
                deliver(n);
                if (++sinceSignal >= SIGNAL_EVERY) {
                    queue.signalUsed();
                    sinceSignal = 0;
                }
            }
        }
    }

    /** Takes chains off the queue until there is room for the largest frame (or one chain). */
    private void takeChains() {
        ranDry = false;
        while (mergeable ? heldBytes < maxPacket : held.isEmpty()) {
            DescriptorChain c = queue.pop();
            if (c == null) {
                ranDry = true;
                return;
            }
            if (c.writableBytes() < NetHeader.SIZE) {
                // 5.1.6.3: every buffer holds at least the header; give a useless one back empty.
                queue.addUsed(c, 0);
                continue;
            }
            held.add(new Held(c, c.writableBytes()));
            heldBytes += c.writableBytes();
        }
    }

    /**
     * Room for a frame: with mergeable buffers, enough for the largest one, or whatever the
     * driver has posted if it has no more (a frame too big for that is dropped by the tap).
     */
    private boolean haveRoom() {
        if (held.isEmpty()) {
            return false;
        }
        return !mergeable || heldBytes >= maxPacket || ranDry;
    }

    /** @return frame length with header, 0 when the tap has none now, -1 when one was dropped */
    private long readFrame() {
        iov.clear();
        // Views of the held chains, up to the largest frame: a frame fills chains in order.
        for (Held h : mergeable ? held : java.util.List.of(held.peek())) {
            if (iov.bytes() >= maxPacket || iov.count() >= IoVec.IOV_MAX) {
                break;
            }
            ByteBuffer[] views;
            try {
                views = h.chain().writer().slices((int) Math.min(h.capacity(), Integer.MAX_VALUE));
            } catch (BadChainException e) {
                // Checked to be guest RAM when popped; only a changed memory map gets here.
                giveBack(h);
                return -1;
            }
            if (!iov.add(views)) {
                break;
            }
        }
        try {
            long n = LibC.readv(tap.fd(), iov.pointer(), iov.count());
            if (n > iov.bytes()) {
                // The tap reports the whole frame's length but copied only what fit: drop it.
                noteDrop("a " + n + "-byte frame did not fit the " + iov.bytes() + " bytes of receive buffers");
                return -1;
            }
            return n;
        } catch (LastErrorException e) {
            switch (e.getErrorCode()) {
                case LibC.EAGAIN:
                    return 0;
                case LibC.EINTR:
                    return -1;
                default:
                    // EFAULT/EINVAL: the frame did not fit the buffers; the kernel dropped it.
                    noteDrop(LibC.strerror(e.getErrorCode()));
                    return -1;
            }
        } finally {
            iov.keepAlive();
        }
    }

    /** Returns the chains the frame filled, header fixed up (5.1.6.4). */
    private void deliver(long frame) {
        Held first = held.peek();
        int buffers = 0;
        long left = frame;
        DescriptorChain[] used = new DescriptorChain[held.size()];
        int[] lengths = new int[held.size()];
        while (left > 0 && !held.isEmpty()) {
            Held h = held.poll();
            heldBytes -= h.capacity();
            int len = (int) Math.min(h.capacity(), left);
            used[buffers] = h.chain();
            lengths[buffers++] = len;
            left -= len;
        }
        ChainWriter w = first.chain().writer();
        if (!guestCsum) {
            // 5.1.6.4: without VIRTIO_NET_F_GUEST_CSUM flags must be zero (the tap may set DATA_VALID).
            w.writeByte((byte) 0);
            w.skip(NetHeader.NUM_BUFFERS_OFFSET - 1);
        } else {
            w.skip(NetHeader.NUM_BUFFERS_OFFSET);
        }
        // The tap skips the bytes past its 10-byte header: num_buffers is ours to write.
        w.writeShort((short) buffers);
        for (int i = 0; i < buffers; i++) {
            queue.addUsed(used[i], lengths[i]);
        }
    }

    /** Returns a held chain unfilled. */
    private void giveBack(Held h) {
        held.remove(h);
        heldBytes -= h.capacity();
        queue.addUsed(h.chain(), 0);
    }

    private void noteDrop(String why) {
        if (dropped++ == 0) {
            LOG.warn("{}: dropped a received frame: {} (further drops are not logged)",
                    tap, why);
        }
    }

    private void await(boolean tapToo) {
        poller.want(0, tapToo ? LibC.POLLIN : 0);
        poller.await(-1);
        if (poller.ready(1)) {
            queue.notifier().read();
        }
    }
}
