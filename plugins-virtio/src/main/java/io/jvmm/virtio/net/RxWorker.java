package io.jvmm.virtio.net;

import io.jvmm.virtio.BadChainException;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.VirtioQueue;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves frames from the tap into the receive queue (virtio 1.2, 5.1.6.3 and 5.1.6.4).
 *
 * <p>The worker takes enough chains off the queue for the largest frame the negotiated offloads
 * allow (one chain without VIRTIO_NET_F_MRG_RXBUF, since then the driver posts chains big
 * enough for any frame), reads one frame from the tap into its own buffer, and copies it into
 * as many chains as it fills, with {@code num_buffers} set in the header. Chains left unfilled
 * stay with the worker for the next frame, so no chain is ever put back. The tap is read only
 * when there are guest buffers: frames wait in the tap's queue (and the host drops them when it
 * overflows), and at most one frame waits in jvmm: one read while the driver had posted less
 * room than it needs, kept until the driver posts more (as QEMU keeps a packet it has read
 * until virtqueue_avail_bytes says it fits). Dropping it instead, as this worker did until
 * 2026-12-07, threw away 64 KiB TCP segments whenever the guest's ring ran low during a host ->
 * guest transfer, and TCP then backed off (in that day's benchmark, every jvmm VM that reached
 * the host -> guest transfer dropped some).
 *
 * <p>Why one copy, as QEMU makes, and not a {@code readv} straight into guest buffers: the
 * frame's size is known only after the read, so that {@code readv} needed a vector of every held
 * buffer, about 43 of 1.5 KiB for a 64 KiB frame, each a direct view and an address taken
 * through JNI, for every frame and for the empty read that ends each wake-up. A TCP ACK cost as
 * much as a 64 KiB frame: in the nested host this worker used as much CPU as the transmit worker
 * while it carried only the ACKs of a guest -> host transfer (perf, 2026-12-06). Now a frame
 * makes views of just the buffers it fills, and the copy is Java's own memory copy.
 *
 * <p>What the worker holds is bounded: at most queue-size chains (a head cannot be taken twice
 * before it is used, {@link io.jvmm.virtio.queue.ChainBudget}), each kept as its compact parsed
 * form, and one frame buffer of the largest frame's size.
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
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    /** One frame as the tap hands it over, header first; sized for the largest frame. */
    private final ByteBuffer frame;
    private final Pointer frameAddress;
    private final Poller poller;
    private long heldBytes;
    private boolean ranDry;
    /**
     * Length of the frame in {@link #frame} that waits for room in the guest's buffers; 0 when
     * none. A pause or reset ends the worker with it unsent: one frame lost, as on a wire.
     */
    private int pending;
    private long dropped;

    RxWorker(Tap tap, VirtioQueue queue, long features, int mtu) {
        this.tap = tap;
        this.queue = queue;
        this.mergeable = NetFeatures.has(features, NetFeatures.MRG_RXBUF);
        this.guestCsum = NetFeatures.has(features, NetFeatures.GUEST_CSUM);
        this.frame = ByteBuffer.allocateDirect(NetFeatures.maxRxPacket(features, mtu)).order(ByteOrder.LITTLE_ENDIAN);
        this.frameAddress = Native.getDirectBufferPointer(frame);
        this.poller = new Poller(tap.fd(), queue.notifier().fd());
        poller.want(1, LibC.POLLIN);
    }

    @Override
    public void run() {
        int sinceSignal = 0;
        while (!queue.stopped()) {
            takeChains();
            if (pending > 0) {
                if (fits(pending)) {
                    deliver(pending);
                    pending = 0;
                } else if (held.size() >= queue.size()) {
                    // Every head of the ring is ours and still too small: none can come.
                    noteDrop("a " + pending + "-byte frame is larger than the whole receive ring ("
                            + heldBytes + " bytes)");
                    pending = 0;
                } else {
                    // Hand back what is used so the driver refills, and wait for its kick.
                    queue.signalUsed();
                    sinceSignal = 0;
                    await(false);
                }
                continue;
            }
            if (!haveRoom()) {
                queue.signalUsed();
                sinceSignal = 0;
                await(false);
                continue;
            }
            int n = readFrame();
            if (n == 0) {
                // The tap is empty: tell the driver about what arrived, then sleep until a frame
                // comes or the queue is kicked (new buffers, or the queue is stopping).
                queue.signalUsed();
                sinceSignal = 0;
                await(true);
                continue;
            }
            if (n > 0) {
                if (!fits(n)) {
                    pending = n; // mergeable buffers only: readFrame dropped any other misfit
                    continue;
                }
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
        while (mergeable ? heldBytes < frame.capacity() : held.isEmpty()) {
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
     * Room to read a frame: with mergeable buffers, enough for the largest one, or whatever the
     * driver has posted if it has no more (a frame too big for that then waits, see {@link #pending}).
     */
    private boolean haveRoom() {
        if (held.isEmpty()) {
            return false;
        }
        return !mergeable || heldBytes >= frame.capacity() || ranDry;
    }

    /** @return frame length with header, 0 when the tap has none now, -1 when one was dropped */
    private int readFrame() {
        // Not the throwing binding: the read that finds the tap empty ends every wake-up, and a
        // LastErrorException each time (strerror, an upcall to build it, a stack trace) showed
        // in the nested host's profile.
        long n = LibC.Quiet.read(tap.fd(), frameAddress, frame.capacity());
        if (n < 0) {
            int errno = Native.getLastError();
            switch (errno) {
                case LibC.EAGAIN:
                    return 0;
                case LibC.EINTR:
                    return -1;
                default:
                    noteDrop(LibC.strerror(errno));
                    return -1;
            }
        }
        if (n == 0) {
            return 0; // end of file: only a socket standing in for the tap in tests says that
        }
        if (n > frame.capacity()) {
            // The tap reports the whole frame's length but copied only what fit.
            noteDrop("a " + n + "-byte frame is larger than the " + frame.capacity()
                    + " bytes the negotiated features allow");
            return -1;
        }
        if (!mergeable && n > held.peek().capacity()) {
            // 5.1.6.3.1: without mergeable buffers one chain takes one frame, and the driver posts
            // chains big enough for any frame the features allow: waiting would not help.
            noteDrop("a " + n + "-byte frame did not fit the " + held.peek().capacity()
                    + "-byte receive chain");
            return -1;
        }
        if (n < NetHeader.SIZE) {
            noteDrop("a " + n + "-byte read from the tap, shorter than the virtio-net header");
            return -1;
        }
        return (int) n;
    }

    /** Copies the frame into the chains it fills and returns them, header fixed up (5.1.6.4). */
    private void deliver(int length) {
        int buffers = 0;
        long room = 0;
        for (Held h : held) {
            buffers++;
            room += h.capacity();
            if (room >= length) {
                break;
            }
        }
        if (!guestCsum) {
            // 5.1.6.4: without VIRTIO_NET_F_GUEST_CSUM flags must be zero (the tap may set DATA_VALID).
            frame.put(0, (byte) 0);
        }
        // The tap leaves the bytes past its 10-byte header alone: num_buffers is ours to write.
        frame.putShort(NetHeader.NUM_BUFFERS_OFFSET, (short) buffers);
        DescriptorChain[] used = new DescriptorChain[buffers];
        int[] lengths = new int[buffers];
        ByteBuffer[][] views = new ByteBuffer[buffers][];
        int at = 0;
        boolean ok = true;
        for (int i = 0; i < buffers; i++) {
            Held h = held.poll();
            heldBytes -= h.capacity();
            used[i] = h.chain();
            lengths[i] = (int) Math.min(h.capacity(), length - at);
            at += lengths[i];
            try {
                views[i] = h.chain().writer().slices(lengths[i]);
            } catch (BadChainException e) {
                // Checked to be guest RAM when popped; only a changed memory map gets here.
                ok = false;
            }
        }
        if (!ok) {
            noteDrop("a receive buffer is no longer guest RAM");
        } else {
            at = 0;
            for (ByteBuffer[] chain : views) {
                for (ByteBuffer v : chain) {
                    int k = v.remaining();
                    v.put(frame.slice(at, k));
                    at += k;
                }
            }
        }
        for (int i = 0; i < buffers; i++) {
            queue.addUsed(used[i], ok ? lengths[i] : 0);
        }
    }

    /** Whether the chains held take a frame of {@code length} bytes, header included. */
    private boolean fits(int length) {
        return mergeable ? heldBytes >= length : !held.isEmpty() && held.peek().capacity() >= length;
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
