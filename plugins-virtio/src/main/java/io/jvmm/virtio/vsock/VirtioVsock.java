package io.jvmm.virtio.vsock;

import io.jvmm.spi.DeviceException;
import io.jvmm.spi.Snapshottable.StateException;
import io.jvmm.virtio.BadChainException;
import io.jvmm.virtio.ChainWriter;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.VirtioActivation;
import io.jvmm.virtio.VirtioDevice;
import io.jvmm.virtio.VirtioIds;
import io.jvmm.virtio.VirtioQueue;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket device (virtio 1.2, 5.10): rx (0) carries packets to the guest, tx (1) the
 * guest's packets, event (2) transport events. Stream sockets only (no
 * VIRTIO_VSOCK_F_SEQPACKET). The config space is the guest's CID (5.10.4). Host sockets and
 * connections are {@link VsockMuxer}'s.
 */
final class VirtioVsock implements VirtioDevice {
    static final int RX = 0;
    static final int TX = 1;
    static final int EVENT = 2;
    static final int QUEUE_SIZE = 256;
    static final int CONFIG_SIZE = 8;
    /** struct virtio_vsock_event id (5.10.6.6). */
    static final int EVENT_TRANSPORT_RESET = 0;
    private static final Logger LOG = LoggerFactory.getLogger(VirtioVsock.class);

    private final String id;
    private final long cid;
    private final Path socket;
    private volatile VsockMuxer muxer;
    /** Set by a restore: the guest's connections are gone, tell it on the next activation. */
    private volatile boolean announceReset;

    VirtioVsock(String id, long cid, Path socket) {
        this.id = id;
        this.cid = cid;
        this.socket = socket;
    }

    /** Binds the host socket, replacing a stale one left by a jvmm that is gone. */
    void listen() throws DeviceException {
        try {
            if (Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(socket); // VsockConfig checked it is a socket
            }
            ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                s.bind(UnixDomainSocketAddress.of(socket));
                muxer = new VsockMuxer(id, cid, socket, s);
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        } catch (IOException e) {
            throw new DeviceException("virtio-vsock: cannot listen on " + socket + ": " + e.getMessage()
                    + " (check the directory is writable)", e);
        }
    }

    VsockMuxer muxer() {
        return muxer;
    }

    @Override
    public int deviceType() {
        return VirtioIds.SOCKET;
    }

    @Override
    public long deviceFeatures() {
        return 0;
    }

    @Override
    public int queueCount() {
        return 3;
    }

    @Override
    public int queueMaxSize(int index) {
        return QUEUE_SIZE;
    }

    @Override
    public int configSize() {
        return CONFIG_SIZE;
    }

    @Override
    public void readConfig(int offset, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN).putLong(0, cid);
        System.arraycopy(b.array(), offset, data, 0, data.length);
    }

    @Override
    public void activate(VirtioActivation activation) {
        VsockMuxer m = muxer;
        VirtioQueue rx = activation.queue(RX);
        VirtioQueue tx = activation.queue(TX);
        VirtioQueue event = activation.queue(EVENT);
        activation.startWorker("vsock-tx", () -> transmit(m, tx));
        activation.startWorker("vsock-rx-notify", () -> {
            while (rx.awaitNotification()) {
                m.rxNotified();
            }
            m.wakeup();
        });
        activation.startWorker("vsock-mux", () -> m.serve(rx));
        if (announceReset) {
            activation.startWorker("vsock-event", () -> {
                if (sendEvent(event, EVENT_TRANSPORT_RESET)) {
                    announceReset = false;
                }
            });
        }
    }

    private void transmit(VsockMuxer m, VirtioQueue q) {
        byte[] buffer = new byte[VsockMuxer.MAX_PAYLOAD];
        do {
            DescriptorChain c;
            while ((c = q.pop()) != null) {
                try {
                    m.fromGuest(c, buffer);
                } catch (BadChainException e) {
                    LOG.debug("{}: bad transmit chain: {}", id, e.getMessage());
                }
                q.addUsed(c, 0);
            }
            q.signalUsed();
            m.wakeup();
        } while (q.awaitNotification());
    }

    /** Puts one event into the event queue, waiting for the driver to post a buffer. */
    private static boolean sendEvent(VirtioQueue q, int eventId) {
        while (true) {
            DescriptorChain c = q.pop();
            if (c != null) {
                int written = 0;
                try {
                    ChainWriter w = c.writer();
                    w.writeInt(eventId);
                    written = w.written();
                } catch (BadChainException e) {
                    // a buffer too small for the event; the driver learns nothing from it
                }
                q.complete(c, written);
                return written > 0;
            }
            if (!q.awaitNotification()) {
                return false;
            }
        }
    }

    @Override
    public boolean snapshottable() {
        return true;
    }

    @Override
    public byte[] saveState() {
        return new VsockState(cid, socket.toString()).encode();
    }

    @Override
    public void restoreState(byte[] state) throws StateException {
        VsockState saved = VsockState.decode(state);
        if (saved.cid() != cid) {
            throw new StateException("the guest's vsock CID was " + saved.cid() + " in the snapshot and is " + cid
                    + " now");
        }
        if (!saved.socket().equals(socket.toString())) {
            throw new StateException("the vsock socket was " + saved.socket() + " in the snapshot and is " + socket
                    + " now");
        }
        announceReset = true;
    }

    @Override
    public void reset() {
        VsockMuxer m = muxer;
        if (m != null) {
            m.resetAll();
            m.wakeup();
        }
        announceReset = false;
    }

    @Override
    public void close() {
        VsockMuxer m = muxer;
        if (m != null) {
            m.close();
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                // a socket file left behind is replaced by the next run
            }
        }
    }
}
