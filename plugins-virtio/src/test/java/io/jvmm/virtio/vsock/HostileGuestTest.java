package io.jvmm.virtio.vsock;

import static io.jvmm.virtio.vsock.FakeGuest.header;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.virtio.vsock.FakeGuest.Packet;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packets no well-behaved driver sends: each costs bounded memory and at worst its connection. */
class HostileGuestTest {
    static final long WAIT = 10_000;

    @TempDir
    Path dir;
    private FakeGuest guest;
    private ServerSocketChannel listener;
    private final List<AutoCloseable> closeLater = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Path socket = dir.resolve("vm.vsock");
        VirtioVsock device = new VirtioVsock("vsock0", FakeGuest.CID, socket);
        device.listen();
        guest = new FakeGuest(device).start();
        listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(Path.of(socket + "_1234")), 1024);
        closeLater.add(listener);
    }

    @AfterEach
    void stop() throws Exception {
        guest.close();
        assertThat(guest.activation.needsReset).isNull();
        for (AutoCloseable c : closeLater) {
            c.close();
        }
    }

    private SocketChannel connect(int guestPort) throws Exception {
        guest.postRx(1);
        guest.send(header(guestPort, 1234, VsockHeader.OP_REQUEST, 0, 0, 65536, 0));
        assertThat(guest.receive(WAIT).h().op()).isEqualTo(VsockHeader.OP_RESPONSE);
        SocketChannel host = listener.accept();
        closeLater.add(host);
        return host;
    }

    private void expectRst(int guestPort) throws Exception {
        guest.postRx(1);
        Packet p = guest.receive(WAIT);
        assertThat(p.h().op()).isEqualTo(VsockHeader.OP_RST);
        assertThat(p.h().dstPort()).isEqualTo(guestPort);
    }

    @Test
    void lengthBeyondTheChainResetsTheConnection() throws Exception {
        SocketChannel host = connect(5000);
        guest.send(header(5000, 1234, VsockHeader.OP_RW, 1000, 0, 65536, 0), new byte[10]);
        expectRst(5000);
        assertThat(host.read(ByteBuffer.allocate(1))).isEqualTo(-1);
    }

    @Test
    void lengthOverTheLargestPacketResetsTheConnection() throws Exception {
        connect(5000);
        guest.send(header(5000, 1234, VsockHeader.OP_RW, -1, 0, 65536, 0), new byte[16]);
        expectRst(5000);
        assertThat(guest.device.muxer().connectionCount()).isZero();
    }

    @Test
    void unknownOpAndUnknownTypeAreAnsweredWithRst() throws Exception {
        guest.send(header(5000, 1234, 99, 0, 0, 0, 0));
        expectRst(5000);
        guest.send(new VsockHeader(FakeGuest.CID, 2, 5001, 1234, 0, 2 /* seqpacket */, VsockHeader.OP_REQUEST, 0,
                0, 0));
        expectRst(5001);
        assertThat(guest.device.muxer().connectionCount()).isZero();
    }

    @Test
    void packetsFromAnotherCidOrToAnotherCidAreDropped() throws Exception {
        guest.postRx(1);
        guest.send(new VsockHeader(7, 2, 5000, 1234, 0, 1, VsockHeader.OP_REQUEST, 0, 65536, 0));
        guest.send(new VsockHeader(FakeGuest.CID, 9, 5000, 1234, 0, 1, VsockHeader.OP_REQUEST, 0, 65536, 0));
        Thread.sleep(200);
        assertThat(guest.rxUsed()).isZero();
        assertThat(guest.device.muxer().connectionCount()).isZero();
    }

    @Test
    void chainShorterThanAHeaderIsDropped() throws Exception {
        guest.sendRaw(new byte[10], null);
        guest.sendRaw(new byte[0], null);
        Thread.sleep(100);
        assertThat(guest.rxUsed()).isZero();
    }

    @Test
    void dataForNoConnectionGetsRst() throws Exception {
        guest.send(header(5000, 1234, VsockHeader.OP_RW, 4, 0, 65536, 0), new byte[4]);
        expectRst(5000);
    }

    @Test
    void dataBeyondCreditWhileTheHostDoesNotReadResetsAndStaysBounded() throws Exception {
        connect(5000);
        // The host end never reads: the socket fills, then the device's buffer, then the guest
        // exceeds its credit and the connection is reset.
        byte[] chunk = new byte[65536];
        long sent = 0;
        boolean reset = false;
        guest.postRx(64);
        for (int i = 0; i < 200 && !reset; i++) {
            guest.send(header(5000, 1234, VsockHeader.OP_RW, chunk.length, 0, 65536, 0), chunk);
            sent += chunk.length;
            assertThat(guest.device.muxer().bufferedToHost()).isLessThanOrEqualTo(GuestPackets.BUF_ALLOC);
            reset = guest.device.muxer().connectionCount() == 0;
        }
        assertThat(reset).as("reset after %d bytes", sent).isTrue();
        Packet p;
        do {
            p = guest.receive(WAIT);
        } while (p.h().op() == VsockHeader.OP_CREDIT_UPDATE);
        assertThat(p.h().op()).isEqualTo(VsockHeader.OP_RST);
        assertThat(guest.device.muxer().bufferedToHost()).isZero();
    }

    @Test
    void aGuestThatNeverReadsStopsTheHostSocketNotTheHeap() throws Exception {
        SocketChannel host = connect(5000);
        host.configureBlocking(false);
        // No receive buffers and no credit beyond 64 KiB: the device reads at most that, so the
        // host's writes stop once the socket buffers are full.
        long written = 0;
        ByteBuffer b = ByteBuffer.allocate(65536);
        long deadline = System.nanoTime() + 3_000_000_000L;
        int idle = 0;
        while (System.nanoTime() < deadline && idle < 20) {
            b.clear();
            int n = host.write(b);
            written += n;
            idle = n == 0 ? idle + 1 : 0;
            if (n == 0) {
                Thread.sleep(20);
            }
        }
        assertThat(idle).as("host writes blocked after %d bytes", written).isGreaterThanOrEqualTo(20);
        assertThat(written).isLessThan(64L << 20);
        assertThat(guest.device.muxer().bufferedToHost()).isZero();
    }

    @Test
    void floodOfRequestsIsCappedAtTheConnectionLimit() throws Exception {
        for (int i = 0; i < ConnectionTable.MAX_CONNECTIONS + 10; i++) {
            guest.send(header(10_000 + i, 1234, VsockHeader.OP_REQUEST, 0, 0, 65536, 0));
        }
        assertThat(guest.device.muxer().connectionCount()).isEqualTo(ConnectionTable.MAX_CONNECTIONS);
        // Answers wait for receive buffers, in a bounded queue.
        guest.postRx(ConnectionTable.MAX_CONNECTIONS + 10);
        int rst = 0;
        int ok = 0;
        for (int i = 0; i < ConnectionTable.MAX_CONNECTIONS + 10; i++) {
            int op = guest.receive(WAIT).h().op();
            rst += op == VsockHeader.OP_RST ? 1 : 0;
            ok += op == VsockHeader.OP_RESPONSE ? 1 : 0;
        }
        assertThat(rst).isEqualTo(10);
        assertThat(ok).isEqualTo(ConnectionTable.MAX_CONNECTIONS);
        for (int i = 0; i < ConnectionTable.MAX_CONNECTIONS; i++) {
            closeLater.add(listener.accept());
        }
    }

    @Test
    void headerFieldsAreLittleEndian() {
        byte[] b = FakeGuest.encode(header(0x01020304, 0x0a0b0c0d, VsockHeader.OP_RW, 7, 0, 8, 9));
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b).hasSize(VsockHeader.SIZE);
        assertThat(bb.getLong(0)).isEqualTo(FakeGuest.CID);
        assertThat(b[16]).isEqualTo((byte) 0x04);
        assertThat(bb.getShort(30)).isEqualTo((short) VsockHeader.OP_RW);
    }
}
