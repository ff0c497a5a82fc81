package io.jvmm.virtio.vsock;

import io.jvmm.virtio.BadChainException;
import io.jvmm.virtio.ChainReader;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.VirtioQueue;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects guest vsock streams to host Unix sockets (the hybrid model): a guest connecting to
 * (CID 2, port P) reaches the listener at {@code SOCKET_P}; a host client of {@code SOCKET}
 * writes {@code CONNECT P\n}, gets {@code OK <host port>\n} once the guest's port P accepts.
 *
 * <p>Threads: the transmit worker calls {@link #fromGuest}; one selector thread runs
 * {@link #serve} (host sockets, and every packet toward the guest, so only it takes receive
 * buffers). Both hold this object's lock while touching connections; neither blocks under it
 * except for connecting a Unix socket, which the kernel answers at once.
 *
 * <p>Memory: guest bytes wait here only while the host socket is full, at most
 * {@link GuestPackets#BUF_ALLOC} per connection (the credit the guest was given; a guest that
 * sends beyond it is reset), and at most {@link ConnectionTable#MAX_CONNECTIONS} connections. Host bytes are read only
 * into a receive buffer the guest posted and only as far as the guest's credit goes, so a guest
 * that stops reading stops the host socket, not the heap.
 *
 * <p>This class is the protocol (virtio 1.2, 5.10.6) and the selector loop; the connections
 * are kept by {@link ConnectionTable}, the packets toward the guest are made by
 * {@link GuestPackets} and put into the receive queue by {@link ReceiveFiller}, and a host
 * client's first line is read by {@link ConnectLine}.
 */
final class VsockMuxer {
    /** Largest payload taken from one guest packet; Linux sends at most 64 KiB. */
    static final int MAX_PAYLOAD = 64 * 1024;
    /** Host clients that have not finished their CONNECT line yet. */
    static final int MAX_PENDING_CLIENTS = 64;
    /**
     * How long a host client's CONNECT waits for the guest's OP_RESPONSE. A guest with no
     * listener answers with RST at once; one without a vsock driver never answers, and the
     * client would hold a connection slot for ever.
     */
    static final long CONNECT_TIMEOUT_NANOS = 10_000_000_000L;
    private static final Logger LOG = LoggerFactory.getLogger(VsockMuxer.class);

    private final String id;
    private final long guestCid;
    private final Path socket;
    private final ServerSocketChannel listener;
    private final Selector selector;
    private final ConnectionTable connections = new ConnectionTable();
    private final GuestPackets packets;
    private final Map<SocketChannel, ConnectLine> pendingClients = new HashMap<>();
    private final ReceiveFiller receive;
    private SelectionKey listenerKey;

    VsockMuxer(String id, long guestCid, Path socket, ServerSocketChannel listener) throws IOException {
        this.id = id;
        this.guestCid = guestCid;
        this.socket = socket;
        this.listener = listener;
        this.selector = Selector.open();
        this.packets = new GuestPackets(id, guestCid);
        this.receive = new ReceiveFiller(connections, packets, this::reset);
    }

    /** The receive queue was notified: buffers may be there now. */
    void rxNotified() {
        receive.notified();
        selector.wakeup();
    }

    void wakeup() {
        selector.wakeup();
    }

    private long connectTimeoutNanos = CONNECT_TIMEOUT_NANOS;

    /** For tests: a shorter {@link #CONNECT_TIMEOUT_NANOS}. */
    synchronized void connectTimeout(long nanos) {
        connectTimeoutNanos = nanos;
    }

    /** Resets host-initiated connections the guest has not answered in time (the client sees EOF). */
    private void expireConnects(long now) {
        List<Connection> late = new ArrayList<>();
        for (Connection c : connections.all()) {
            if (c.state == Connection.State.CONNECTING && c.connectDeadline != 0 && now - c.connectDeadline > 0) {
                late.add(c);
            }
        }
        for (Connection c : late) {
            LOG.debug("{}: the guest did not answer a host connect to port {} in time", id, c.peerPort);
            reset(c);
        }
    }

    synchronized int connectionCount() {
        return connections.size();
    }

    /** Bytes held for host sockets over all connections, for tests of the memory bound. */
    synchronized long bufferedToHost() {
        return connections.bufferedToHost();
    }

    // ---- guest to host (transmit worker) ----

    /** One transmit chain: a header and maybe payload. Malformed packets are dropped or reset. */
    synchronized void fromGuest(DescriptorChain chain, byte[] buffer) {
        ChainReader r = chain.reader();
        VsockHeader h;
        try {
            h = VsockHeader.read(r);
        } catch (BadChainException e) {
            LOG.debug("{}: transmit chain shorter than a header, dropped", id);
            return;
        }
        if (h.srcCid() != guestCid || h.dstCid() != GuestPackets.HOST_CID) {
            // 5.10.6.2: the guest may only speak for its own CID, and there is no one but the host.
            LOG.debug("{}: packet not from CID {} to the host, dropped: {}", id,
                    guestCid, h);
            return;
        }
        Connection c = connections.get(h.dstPort(), h.srcPort());
        if (h.type() != VsockHeader.TYPE_STREAM) {
            resetFor(h, c);
            return;
        }
        if (c != null) {
            c.peerBufAlloc = h.bufAlloc();
            c.peerFwdCnt = h.fwdCnt();
        }
        switch (h.op()) {
            case VsockHeader.OP_REQUEST -> connectToHost(h, c);
            case VsockHeader.OP_RESPONSE -> {
                if (c == null || c.state != Connection.State.CONNECTING) {
                    resetFor(h, c);
                } else {
                    established(c);
                }
            }
            case VsockHeader.OP_RW -> {
                if (c == null || c.state != Connection.State.ESTABLISHED) {
                    resetFor(h, c);
                } else {
                    payload(c, h, r, buffer);
                }
            }
            case VsockHeader.OP_CREDIT_UPDATE -> {
                if (c == null) {
                    resetFor(h, null);
                }
            }
            case VsockHeader.OP_CREDIT_REQUEST -> {
                if (c == null) {
                    resetFor(h, null);
                } else {
                    c.sendCreditUpdate = true;
                    connections.owesControl(c);
                }
            }
            case VsockHeader.OP_SHUTDOWN -> {
                if (c == null) {
                    resetFor(h, null);
                } else {
                    guestShutdown(c, h.flags());
                }
            }
            case VsockHeader.OP_RST -> {
                if (c != null) {
                    drop(c);
                }
            }
            default -> resetFor(h, c);
        }
    }

    private void connectToHost(VsockHeader h, Connection existing) {
        if (existing != null) {
            resetFor(h, existing); // a second request for a live connection: both ends start over
            return;
        }
        if (connections.full()) {
            LOG.debug("{}: {} connections open, refusing {}", id, ConnectionTable.MAX_CONNECTIONS, h);
            resetFor(h, null);
            return;
        }
        Path target = Path.of(socket + "_" + Integer.toUnsignedString(h.dstPort()));
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.configureBlocking(false);
            // Non-blocking, so a listener with a full backlog cannot stall the transmit queue:
            // a Unix connect either completes at once or is refused (EAGAIN) like no listener.
            if (!ch.connect(UnixDomainSocketAddress.of(target))) {
                throw new IOException("the listener's backlog is full");
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: guest connects to port {}: {}: {}", id,
                    Integer.toUnsignedString(h.dstPort()), target, e.toString());
            closeQuietly(ch);
            resetFor(h, null);
            return;
        }
        Connection c = new Connection(h.dstPort(), h.srcPort(), ch, Connection.State.ESTABLISHED);
        c.peerBufAlloc = h.bufAlloc();
        c.peerFwdCnt = h.fwdCnt();
        c.sendResponse = true;
        connections.addUnregistered(c);
        connections.owesControl(c);
    }

    private void established(Connection c) {
        c.state = Connection.State.ESTABLISHED;
        byte[] ok = ("OK " + Integer.toUnsignedString(c.localPort) + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            // A fresh socket's send buffer is empty: a short line goes out whole or the client is gone.
            if (c.channel.write(ByteBuffer.wrap(ok)) != ok.length) {
                throw new IOException("short write of the OK line");
            }
        } catch (IOException e) {
            reset(c);
        }
    }

    private void payload(Connection c, VsockHeader h, ChainReader r, byte[] buffer) {
        int len = h.len();
        if (len < 0 || len > MAX_PAYLOAD || len > r.remaining()) {
            LOG.debug("{}: bad payload length, resetting: {}", id, h);
            reset(c);
            return;
        }
        if (c.guestSendShut || len + c.pendingToHost() > GuestPackets.BUF_ALLOC || len + c.pendingToHost() < 0) {
            // Data after SHUTDOWN(SEND), or beyond the credit we gave (5.10.6.3.1).
            LOG.debug("{}: data beyond credit or after shutdown, resetting: {}", id, h);
            reset(c);
            return;
        }
        r.read(buffer, 0, len);
        c.rxCnt += len;
        int off = 0;
        if (c.toHost == null || c.toHost.position() == 0) {
            try {
                off = c.channel.write(ByteBuffer.wrap(buffer, 0, len));
            } catch (IOException e) {
                reset(c);
                return;
            }
            c.fwdCnt += off;
        }
        if (off < len) {
            if (c.toHost == null) {
                c.toHost = ByteBuffer.allocate(GuestPackets.BUF_ALLOC);
            }
            c.toHost.put(buffer, off, len - off);
        }
        creditMaybe(c);
    }

    private void guestShutdown(Connection c, int flags) {
        c.guestRcvShut |= (flags & VsockHeader.SHUTDOWN_RCV) != 0;
        c.guestSendShut |= (flags & VsockHeader.SHUTDOWN_SEND) != 0;
        finishShutdown(c);
    }

    /** Once the guest's bytes are all out, pass its half-close on, or end the connection. */
    private void finishShutdown(Connection c) {
        if (c.pendingToHost() != 0 || !c.guestSendShut) {
            return;
        }
        if (c.guestRcvShut) {
            // Both directions closed by the guest: it waits for our RST to free the port (5.10.6.5).
            reset(c);
            return;
        }
        try {
            c.channel.shutdownOutput();
        } catch (IOException e) {
            reset(c);
        }
    }

    /** Says how much buffer space the host freed, before the guest runs out of credit. */
    private void creditMaybe(Connection c) {
        int freed = c.fwdCnt - c.advertisedFwdCnt;
        if (freed >= GuestPackets.BUF_ALLOC / 4 || freed > 0 && c.pendingToHost() == 0 && freed >= MAX_PAYLOAD / 4) {
            c.sendCreditUpdate = true;
            connections.owesControl(c);
        }
    }

    private void resetFor(VsockHeader h, Connection c) {
        if (c != null) {
            reset(c);
            return;
        }
        if (h.op() == VsockHeader.OP_RST) {
            return; // never answer a reset with a reset
        }
        packets.queueReset(h.dstPort(), h.srcPort());
    }

    /** Closes the host end and tells the guest with an RST. */
    private void reset(Connection c) {
        drop(c);
        packets.queueReset(c.localPort, c.peerPort);
    }

    /** Forgets a connection and closes its host end, without telling the guest. */
    private void drop(Connection c) {
        connections.remove(c);
        c.toHost = null;
        closeQuietly(c.channel);
    }

    // ---- host side and everything toward the guest (selector thread) ----

    /** The selector loop; returns when the receive queue is stopped (reset, pause, VM end). */
    void serve(VirtioQueue rx) {
        try {
            synchronized (this) {
                receive.forgetHeld();
                if (listenerKey == null) {
                    listener.configureBlocking(false);
                    listenerKey = listener.register(selector, SelectionKey.OP_ACCEPT);
                }
            }
            while (!rx.stopped()) {
                selector.select(1000);
                synchronized (this) {
                    if (rx.stopped()) {
                        break;
                    }
                    handleReady();
                    expireConnects(System.nanoTime());
                    receive.fill(rx);
                    updateInterest();
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("vsock selector", e);
        } finally {
            synchronized (this) {
                receive.forgetHeld(); // taken again by the next activation (pause keeps it available)
            }
        }
    }

    private void handleReady() {
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey k = it.next();
            it.remove();
            if (!k.isValid()) {
                continue;
            }
            if (k == listenerKey) {
                accept();
            } else if (k.attachment() instanceof ConnectLine line) {
                readConnectLine((SocketChannel) k.channel(), line);
            } else if (k.attachment() instanceof Connection c) {
                if (k.isReadable()) {
                    c.hostReadable = true;
                }
                if (k.isWritable()) {
                    flushToHost(c);
                }
            }
        }
    }

    private void accept() {
        SocketChannel ch;
        try {
            while ((ch = listener.accept()) != null) {
                if (pendingClients.size() >= MAX_PENDING_CLIENTS || connections.full()) {
                    closeQuietly(ch);
                    continue;
                }
                ch.configureBlocking(false);
                ConnectLine line = new ConnectLine();
                ch.register(selector, SelectionKey.OP_READ, line);
                pendingClients.put(ch, line);
            }
        } catch (IOException e) {
            LOG.warn("{}: accepting on {}: {}", id, socket, e.toString());
        }
    }

    /** A client's CONNECT line, as far as it has come; once whole, a connection the guest is asked to accept. */
    private void readConnectLine(SocketChannel ch, ConnectLine line) {
        try {
            long requested = line.readFrom(ch);
            if (requested < 0) {
                return;
            }
            pendingClients.remove(ch);
            int port = (int) requested;
            if (connections.full()) {
                throw new IOException("too many connections");
            }
            Connection c = new Connection(connections.allocateLocalPort(port), port, ch, Connection.State.CONNECTING);
            c.sendRequest = true;
            c.connectDeadline = System.nanoTime() + connectTimeoutNanos;
            c.key = ch.keyFor(selector);
            c.key.interestOps(0);
            c.key.attach(c);
            connections.add(c);
            connections.owesControl(c);
        } catch (IOException | IllegalArgumentException e) {
            LOG.debug("{}: host client on {}: {}", id, socket, e.toString());
            pendingClients.remove(ch);
            closeQuietly(ch);
        }
    }

    private void flushToHost(Connection c) {
        if (c.toHost == null) {
            return;
        }
        try {
            c.toHost.flip();
            int n = c.channel.write(c.toHost);
            c.toHost.compact();
            c.fwdCnt += n;
        } catch (IOException e) {
            reset(c);
            return;
        }
        if (c.toHost.position() == 0) {
            c.toHost = null; // the heap holds guest bytes only while the host is behind
        }
        creditMaybe(c);
        finishShutdown(c);
    }

    private void updateInterest() {
        for (Connection c : connections.takeUnregistered()) {
            try {
                c.key = c.channel.register(selector, 0, c);
            } catch (ClosedChannelException e) {
                reset(c);
            }
        }
        boolean rxOk = receive.hasRoom();
        for (Connection c : connections.all()) {
            if (c.key == null || !c.key.isValid()) {
                continue;
            }
            int ops = 0;
            if (rxOk && receive.readable(c)) {
                ops |= SelectionKey.OP_READ;
            }
            if (c.toHost != null && c.toHost.position() > 0) {
                ops |= SelectionKey.OP_WRITE;
            }
            c.key.interestOps(ops);
        }
    }

    /** Driver reset: every connection ends (the guest forgot them with the reset). */
    synchronized void resetAll() {
        for (Connection c : connections.snapshot()) {
            drop(c);
        }
        for (SocketChannel ch : pendingClients.keySet()) {
            closeQuietly(ch);
        }
        pendingClients.clear();
        packets.clearResets();
        receive.reset();
    }

    synchronized void close() {
        resetAll();
        closeQuietly(listener);
        try {
            selector.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }

    private static void closeQuietly(java.nio.channels.Channel ch) {
        if (ch == null) {
            return;
        }
        try {
            ch.close();
        } catch (IOException e) {
            // closing is all we wanted
        }
    }

    /** For tests: all connections' ports, local:peer. */
    synchronized List<String> describe() {
        return connections.describe();
    }
}
