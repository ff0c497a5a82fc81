package io.jvmm.virtio.vsock;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One stream between a guest port and a host Unix socket, with the credit bookkeeping of
 * virtio 1.2, 5.10.6.3. Counters are the spec's free-running unsigned 32-bit values: only
 * their differences mean anything. Guarded by the {@link VsockMuxer}'s lock.
 */
final class Connection {
    enum State {
        /** Host-initiated: OP_REQUEST sent or to be sent, waiting for OP_RESPONSE. */
        CONNECTING,
        ESTABLISHED,
    }

    final int localPort;
    final int peerPort;
    final SocketChannel channel;
    SelectionKey key;
    State state;

    /** What the guest told us last: its receive buffer and how much of it it has consumed. */
    int peerBufAlloc;
    int peerFwdCnt;
    /** Payload bytes sent to the guest. */
    int txCnt;
    /** Payload bytes received from the guest, and how many of them went on to the host socket. */
    int rxCnt;
    int fwdCnt;
    int advertisedFwdCnt;

    /** Guest bytes the host socket has not taken yet: at most {@link GuestPackets#BUF_ALLOC}. */
    ByteBuffer toHost;

    boolean sendRequest;
    /** nanoTime by which the guest must answer a host-initiated connect; 0 for guest-initiated ones. */
    long connectDeadline;
    boolean sendResponse;
    boolean sendCreditUpdate;
    /** Host end reached EOF: tell the guest SHUTDOWN(SEND) once. */
    boolean sendShutdown;
    boolean hostEof;
    /** The selector saw the host socket readable and no read has come back empty since. */
    boolean hostReadable;
    boolean guestSendShut;
    boolean guestRcvShut;

    Connection(int localPort, int peerPort, SocketChannel channel, State state) {
        this.localPort = localPort;
        this.peerPort = peerPort;
        this.channel = channel;
        this.state = state;
    }

    static long key(int localPort, int peerPort) {
        return (long) localPort << 32 | (peerPort & 0xFFFF_FFFFL);
    }

    long key() {
        return key(localPort, peerPort);
    }

    /** Bytes the guest can still take (5.10.6.3.1); 0 if it claims less than we sent. */
    int peerCredit() {
        long c = (peerBufAlloc & 0xFFFF_FFFFL) - ((txCnt - peerFwdCnt) & 0xFFFF_FFFFL);
        return (int) Math.max(0, Math.min(c, Integer.MAX_VALUE));
    }

    /** Guest bytes held here that the host has not taken. */
    int pendingToHost() {
        return rxCnt - fwdCnt;
    }

    boolean hasControl() {
        return sendRequest || sendResponse || sendCreditUpdate || sendShutdown;
    }
}
