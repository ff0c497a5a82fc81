package io.jvmm.virtio.vsock;

import io.jvmm.virtio.BadChainException;
import io.jvmm.virtio.ChainWriter;
import io.jvmm.virtio.DescriptorChain;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The packets the device sends the guest, from the host (CID 2): the headers of a connection's
 * control and data packets, with the credit the device gives (virtio 1.2, 5.10.6.3), the RSTs
 * waiting for a receive buffer, and the writing of one packet into a receive chain. Guarded by
 * the {@link VsockMuxer}'s lock.
 */
final class GuestPackets {
    static final long HOST_CID = 2;
    /** The receive buffer each connection offers the guest (buf_alloc). */
    static final int BUF_ALLOC = 256 * 1024;
    /** RSTs for packets that match no connection; more than this waiting are dropped. */
    static final int MAX_QUEUED_RESETS = 256;
    private static final Logger LOG = LoggerFactory.getLogger(GuestPackets.class);

    private final String id;
    private final long guestCid;
    private final ArrayDeque<VsockHeader> resets = new ArrayDeque<>();

    GuestPackets(String id, long guestCid) {
        this.id = id;
        this.guestCid = guestCid;
    }

    /** A packet of {@code c}'s toward the guest; it carries {@code c}'s credit, now advertised. */
    VsockHeader header(Connection c, int op, int flags, int len) {
        c.advertisedFwdCnt = c.fwdCnt;
        return new VsockHeader(HOST_CID, guestCid, c.localPort, c.peerPort, len, VsockHeader.TYPE_STREAM, op, flags,
                BUF_ALLOC, c.fwdCnt);
    }

    /** The next control packet {@code c} owes the guest ({@link Connection#hasControl}), clearing its flag. */
    VsockHeader control(Connection c) {
        if (c.sendRequest) {
            c.sendRequest = false;
            return header(c, VsockHeader.OP_REQUEST, 0, 0);
        }
        if (c.sendResponse) {
            c.sendResponse = false;
            return header(c, VsockHeader.OP_RESPONSE, 0, 0);
        }
        if (c.sendCreditUpdate) {
            c.sendCreditUpdate = false;
            return header(c, VsockHeader.OP_CREDIT_UPDATE, 0, 0);
        }
        c.sendShutdown = false;
        return header(c, VsockHeader.OP_SHUTDOWN, VsockHeader.SHUTDOWN_SEND, 0);
    }

    /** Queues an RST from the host's {@code localPort} to the guest's {@code peerPort}, unless too many wait. */
    void queueReset(int localPort, int peerPort) {
        if (resets.size() < MAX_QUEUED_RESETS) {
            resets.add(new VsockHeader(HOST_CID, guestCid, localPort, peerPort, 0, VsockHeader.TYPE_STREAM,
                    VsockHeader.OP_RST, 0, 0, 0));
        }
    }

    /** The oldest RST waiting, or null. */
    VsockHeader peekReset() {
        return resets.peek();
    }

    void pollReset() {
        resets.poll();
    }

    void clearResets() {
        resets.clear();
    }

    /** Writes one packet into a receive chain; returns the bytes written (0 if it did not fit). */
    int write(DescriptorChain chain, VsockHeader h, byte[] data, int len) {
        try {
            ChainWriter w = chain.writer();
            h.write(w);
            if (len > 0) {
                w.write(data, 0, len);
            }
            return w.written();
        } catch (BadChainException e) {
            LOG.debug("{}: receive buffer too small for {}", id, h);
            return 0;
        }
    }
}
