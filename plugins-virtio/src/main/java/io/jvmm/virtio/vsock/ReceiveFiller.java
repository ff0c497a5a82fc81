package io.jvmm.virtio.vsock;

import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.VirtioQueue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.function.Consumer;

/**
 * Fills the guest's receive buffers (virtio 1.2, 5.10.6.3): the RSTs waiting first, then each
 * connection's control packets, then host bytes, each connection only as far as the guest's
 * credit goes. Host bytes are read straight into one packet's room, so nothing toward the
 * guest waits on the heap. Runs on the {@link VsockMuxer}'s selector thread, under its lock.
 */
final class ReceiveFiller {
    private final ConnectionTable connections;
    private final GuestPackets packets;
    /** Resets a connection: closes its host end and queues an RST for the guest. */
    private final Consumer<Connection> reset;
    private final ByteBuffer piece = ByteBuffer.allocate(VsockMuxer.MAX_PAYLOAD);
    /** A receive chain taken but not filled (nothing to read after all); used next. */
    private DescriptorChain held;
    /** Written by the queue's notifier thread without the lock. */
    private volatile boolean maybeAvailable = true;
    /** The queue had no chain when this fill asked for one. */
    private boolean dry;

    ReceiveFiller(ConnectionTable connections, GuestPackets packets, Consumer<Connection> reset) {
        this.connections = connections;
        this.packets = packets;
        this.reset = reset;
    }

    /** The receive queue was notified: buffers may be there now. */
    void notified() {
        maybeAvailable = true;
    }

    /** Whether a packet could go out now: a chain is held, or the queue may have one. */
    boolean hasRoom() {
        return maybeAvailable || held != null;
    }

    /** Forgets the held chain: the queue is being rebuilt (activation) or stopped. */
    void forgetHeld() {
        held = null;
    }

    /** Driver reset: no chain is held, and the next look at the queue is worth making. */
    void reset() {
        forgetHeld();
        notified();
    }

    /** Whether {@code c} may send the guest data now. */
    boolean readable(Connection c) {
        return c.state == Connection.State.ESTABLISHED && !c.hostEof && !c.guestRcvShut && c.peerCredit() > 0
                && connections.holds(c);
    }

    /** Fills what receive buffers there are, and interrupts the guest once if any was used. */
    void fill(VirtioQueue rx) {
        boolean used = false;
        dry = false;
        try {
            for (VsockHeader rst; (rst = packets.peekReset()) != null; ) {
                DescriptorChain chain = take(rx);
                if (chain == null) {
                    return;
                }
                rx.addUsed(chain, packets.write(chain, rst, null, 0));
                packets.pollReset();
                used = true;
            }
            for (Iterator<Connection> it = connections.controlPending(); it.hasNext();) {
                Connection c = it.next();
                while (c.hasControl()) {
                    DescriptorChain chain = take(rx);
                    if (chain == null) {
                        return;
                    }
                    rx.addUsed(chain, packets.write(chain, packets.control(c), null, 0));
                    used = true;
                }
                it.remove();
            }
            for (Connection c : connections.snapshot()) {
                if (readable(c)) {
                    used |= data(c, rx);
                    if (dry) {
                        return;
                    }
                }
            }
        } finally {
            if (used) {
                rx.signalUsed();
            }
        }
    }

    /** Moves {@code c}'s host bytes into receive buffers until the host, the credit or the queue runs dry. */
    private boolean data(Connection c, VirtioQueue rx) {
        boolean used = false;
        while (c.hostReadable && readable(c)) {
            DescriptorChain chain = take(rx);
            if (chain == null) {
                return used;
            }
            long room = chain.writableBytes() - VsockHeader.SIZE;
            int want = (int) Math.min(Math.min(room, c.peerCredit()), VsockMuxer.MAX_PAYLOAD);
            if (want <= 0) {
                held = chain;
                if (room <= 0) {
                    held = null;
                    rx.addUsed(chain, 0); // a buffer too small for a header carries nothing
                    used = true;
                }
                return used;
            }
            piece.clear().limit(want);
            int n;
            try {
                n = c.channel.read(piece);
            } catch (IOException e) {
                held = chain;
                reset.accept(c);
                return used;
            }
            if (n <= 0) {
                held = chain;
                c.hostReadable = false; // nothing now; the selector says when there is
                if (n < 0) {
                    c.hostEof = true;
                    c.sendShutdown = true;
                    connections.owesControl(c);
                }
                return used;
            }
            VsockHeader h = packets.header(c, VsockHeader.OP_RW, 0, n);
            rx.addUsed(chain, packets.write(chain, h, piece.array(), n));
            c.txCnt += n;
            used = true;
            if (n < want) {
                c.hostReadable = false; // drained for now; the selector says when there is more
                return used;
            }
        }
        return used;
    }

    private DescriptorChain take(VirtioQueue rx) {
        DescriptorChain c = held;
        if (c != null) {
            held = null;
            return c;
        }
        c = rx.pop();
        if (c == null) {
            maybeAvailable = false;
            dry = true;
        }
        return c;
    }
}
