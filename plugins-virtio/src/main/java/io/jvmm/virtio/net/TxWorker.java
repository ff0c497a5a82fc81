package io.jvmm.virtio.net;

import com.sun.jna.LastErrorException;
import io.jvmm.virtio.BadChainException;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.VirtioQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the transmit queue into the tap (virtio 1.2, 5.1.6.2): each chain's readable part is
 * the 12-byte header and the frame, handed to the tap with one {@code writev} straight from
 * guest RAM. The tap does whatever checksum and segmentation work the header asks for. A frame
 * the tap refuses (link down, bad header) is dropped, as a NIC would; the chain still goes back.
 */
final class TxWorker implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(TxWorker.class);
    private static final int SIGNAL_EVERY = 64;
    private static final short POLLOUT = 0x4;

    private final Tap tap;
    private final VirtioQueue queue;
    private final IoVec iov = new IoVec();
    private final Poller writable;
    private long dropped;

    TxWorker(Tap tap, VirtioQueue queue) {
        this.tap = tap;
        this.queue = queue;
        this.writable = new Poller(tap.fd());
        writable.want(0, POLLOUT);
    }

    @Override
    public void run() {
        do {
            int sent = 0;
            DescriptorChain c;
            while ((c = queue.pop()) != null) {
                send(c);
                queue.addUsed(c, 0);
                if (++sent % SIGNAL_EVERY == 0) {
                    queue.signalUsed();
                }
            }
            queue.signalUsed();
        } while (queue.awaitNotification());
    }

    private void send(DescriptorChain c) {
        if (c.readableBytes() < NetHeader.SIZE) {
            drop("a transmit chain shorter than the virtio-net header");
            return;
        }
        iov.clear();
        try {
            if (!iov.add(c.reader().slices((int) Math.min(c.readableBytes(), Integer.MAX_VALUE)))) {
                drop("a frame in more than " + IoVec.IOV_MAX + " pieces");
                return;
            }
        } catch (BadChainException e) {
            drop(e.getMessage());
            return;
        }
        try {
            while (true) {
                try {
                    LibC.writev(tap.fd(), iov.pointer(), iov.count());
                    return;
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == LibC.EAGAIN) {
                        writable.await(100); // the tap's send buffer is full: wait, but not past a queue stop
                        if (queue.stopped()) {
                            return;
                        }
                    } else if (e.getErrorCode() != LibC.EINTR) {
                        drop(LibC.strerror(e.getErrorCode()) + (e.getErrorCode() == LibC.EIO
                                ? " (is " + tap.name() + " up on the host?)" : ""));
                        return;
                    }
                }
            }
        } finally {
            iov.keepAlive();
        }
    }

    private void drop(String why) {
        if (dropped++ == 0) {
            LOG.warn("{}: dropped a transmitted frame: {} (further drops are not "
                    + "logged)", tap, why);
        }
    }
}
