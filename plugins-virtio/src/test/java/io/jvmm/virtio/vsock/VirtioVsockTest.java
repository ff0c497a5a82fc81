package io.jvmm.virtio.vsock;

import static io.jvmm.virtio.vsock.FakeGuest.header;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.virtio.vsock.FakeGuest.Packet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VirtioVsockTest {
    static final int GUEST_BUF = 256 * 1024;
    static final long WAIT = 10_000;

    @TempDir
    Path dir;
    private FakeGuest guest;
    private final List<AutoCloseable> closeLater = new ArrayList<>();

    private Path socket() {
        return dir.resolve("vm.vsock");
    }

    private FakeGuest startGuest() throws Exception {
        VirtioVsock device = new VirtioVsock("vsock0", FakeGuest.CID, socket());
        device.listen();
        guest = new FakeGuest(device).start();
        return guest;
    }

    private ServerSocketChannel hostListener(int port) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(Path.of(socket() + "_" + port)));
        closeLater.add(s);
        return s;
    }

    @AfterEach
    void tearDown() throws Exception {
        if (guest != null) {
            guest.close();
            assertThat(guest.activation.needsReset).isNull();
        }
        for (AutoCloseable c : closeLater) {
            c.close();
        }
    }

    /** The guest connects to host port {@code port} from {@code guestPort}; returns the accepted host end. */
    private SocketChannel guestConnects(ServerSocketChannel listener, int guestPort, int port) throws Exception {
        guest.postRx(1);
        guest.send(header(guestPort, port, VsockHeader.OP_REQUEST, 0, 0, GUEST_BUF, 0));
        Packet p = guest.receive(WAIT);
        assertThat(p.h().op()).isEqualTo(VsockHeader.OP_RESPONSE);
        assertThat(p.h().srcPort()).isEqualTo(port);
        assertThat(p.h().dstPort()).isEqualTo(guestPort);
        assertThat(p.h().dstCid()).isEqualTo(FakeGuest.CID);
        assertThat(p.h().bufAlloc()).isEqualTo(GuestPackets.BUF_ALLOC);
        SocketChannel host = listener.accept();
        closeLater.add(host);
        return host;
    }

    /** The guest sends {@code data} in 4 KiB packets, within the credit the device gives. */
    private void guestSends(int guestPort, int port, byte[] data) throws Exception {
        int sent = 0;
        while (sent < data.length) {
            int n = Math.min(4096, data.length - sent);
            guest.send(header(guestPort, port, VsockHeader.OP_RW, n, 0, GUEST_BUF, 0),
                    Arrays.copyOfRange(data, sent, sent + n));
            sent += n;
        }
    }

    /**
     * Receives {@code length} payload bytes on a connection, posting receive buffers and
     * returning credit as a driver does; other packets are skipped.
     */
    private byte[] guestReceives(int guestPort, int port, int length, int[] fwdCnt) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int returned = fwdCnt[0];
        while (out.size() < length) {
            if (guest.rxRead() >= guest.rx.awaitUsed(0, 0).size() && guest.rx.availCount() == 0) {
                guest.postRx(16);
            }
            Packet p = guest.receive(WAIT);
            if (p.h().op() != VsockHeader.OP_RW) {
                continue;
            }
            assertThat(p.h().srcPort()).isEqualTo(port);
            assertThat(p.h().dstPort()).isEqualTo(guestPort);
            assertThat(p.h().len()).isEqualTo(p.data().length);
            out.write(p.data());
            fwdCnt[0] += p.data().length;
            if (fwdCnt[0] - returned >= GUEST_BUF / 2) {
                guest.send(header(guestPort, port, VsockHeader.OP_CREDIT_UPDATE, 0, 0, GUEST_BUF, fwdCnt[0]));
                returned = fwdCnt[0];
            }
        }
        return out.toByteArray();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static byte[] readFully(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                break;
            }
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    @Test
    void guestConnectsToHostPortAndBytesFlowBothWaysIntact() throws Exception {
        startGuest();
        ServerSocketChannel listener = hostListener(1234);
        SocketChannel host = guestConnects(listener, 5000, 1234);

        byte[] up = random(1 << 20, 1);
        CompletableFuture<byte[]> hostGot = CompletableFuture.supplyAsync(() -> {
            try {
                return readFully(host, up.length);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        // The guest must stay within the device's credit: wait for credit updates as Linux does.
        int sent = 0;
        int deviceFwd = 0;
        while (sent < up.length) {
            while (sent - deviceFwd >= GuestPackets.BUF_ALLOC) {
                if (guest.rx.availCount() == 0) {
                    guest.postRx(4);
                }
                Packet p = guest.receive(WAIT);
                assertThat(p.h().op()).isEqualTo(VsockHeader.OP_CREDIT_UPDATE);
                deviceFwd = p.h().fwdCnt();
            }
            int n = Math.min(16384, Math.min(up.length - sent, GuestPackets.BUF_ALLOC - (sent - deviceFwd)));
            guest.send(header(5000, 1234, VsockHeader.OP_RW, n, 0, GUEST_BUF, 0), Arrays.copyOfRange(up, sent, sent + n));
            sent += n;
        }
        assertThat(sha(hostGot.get())).isEqualTo(sha(up));

        byte[] down = random(1 << 20, 2);
        CompletableFuture<Void> hostWrites = CompletableFuture.runAsync(() -> {
            try {
                host.write(ByteBuffer.wrap(down));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        byte[] got = guestReceives(5000, 1234, down.length, new int[] {0});
        hostWrites.get();
        assertThat(sha(got)).isEqualTo(sha(down));
    }

    @Test
    void guestConnectingWhereNothingListensGetsRst() throws Exception {
        startGuest();
        guest.postRx(1);
        guest.send(header(5000, 4321, VsockHeader.OP_REQUEST, 0, 0, GUEST_BUF, 0));
        Packet p = guest.receive(WAIT);
        assertThat(p.h().op()).isEqualTo(VsockHeader.OP_RST);
        assertThat(p.h().srcPort()).isEqualTo(4321);
        assertThat(p.h().dstPort()).isEqualTo(5000);
        assertThat(guest.device.muxer().connectionCount()).isZero();
    }

    /** A host client asks for guest port 80; returns the client and the host port the guest saw. */
    private SocketChannel hostConnects(int guestPort, int[] localPort) throws Exception {
        SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket()));
        closeLater.add(client);
        client.write(ByteBuffer.wrap(("CONNECT " + guestPort + "\n").getBytes(StandardCharsets.US_ASCII)));
        guest.postRx(1);
        Packet req = guest.receive(WAIT);
        assertThat(req.h().op()).isEqualTo(VsockHeader.OP_REQUEST);
        assertThat(req.h().dstPort()).isEqualTo(guestPort);
        assertThat(Integer.toUnsignedLong(req.h().srcPort())).isGreaterThanOrEqualTo(ConnectionTable.FIRST_LOCAL_PORT);
        localPort[0] = req.h().srcPort();
        return client;
    }

    private static String readLine(SocketChannel ch) throws IOException {
        StringBuilder sb = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            int n;
            try {
                n = ch.read(one);
            } catch (java.net.SocketException e) {
                n = -1; // closed with our bytes unread: a reset, as good as EOF here
            }
            if (n < 0) {
                return sb.length() == 0 ? null : sb.toString();
            }
            if (one.get(0) == '\n') {
                return sb.toString();
            }
            sb.append((char) one.get(0));
        }
    }

    @Test
    void hostClientConnectsToGuestPortWithConnectLine() throws Exception {
        startGuest();
        int[] local = new int[1];
        SocketChannel client = hostConnects(80, local);
        guest.send(header(80, local[0], VsockHeader.OP_RESPONSE, 0, 0, GUEST_BUF, 0));
        assertThat(readLine(client)).isEqualTo("OK " + Integer.toUnsignedString(local[0]));

        byte[] down = random(300_000, 3);
        CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
            try {
                client.write(ByteBuffer.wrap(down));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(sha(guestReceives(80, local[0], down.length, new int[] {0}))).isEqualTo(sha(down));
        w.get();

        byte[] up = random(100_000, 4);
        guestSends(80, local[0], up);
        assertThat(sha(readFully(client, up.length))).isEqualTo(sha(up));
    }

    @Test
    void guestRefusingAHostConnectClosesTheClient() throws Exception {
        startGuest();
        int[] local = new int[1];
        SocketChannel client = hostConnects(81, local);
        guest.send(header(81, local[0], VsockHeader.OP_RST, 0, 0, 0, 0));
        assertThat(readLine(client)).isNull();
        assertThat(guest.device.muxer().connectionCount()).isZero();
    }

    @Test
    void aHostConnectTheGuestNeverAnswersIsClosedAfterTheTimeoutAndFreesItsSlot() throws Exception {
        startGuest();
        guest.device.muxer().connectTimeout(200_000_000L);
        int[] local = new int[1];
        SocketChannel client = hostConnects(82, local);
        assertThat(guest.device.muxer().connectionCount()).isEqualTo(1);
        long start = System.nanoTime();
        assertThat(readLine(client)).as("EOF once the guest has not answered").isNull();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
        assertThat(guest.device.muxer().connectionCount()).isZero();
    }

    @Test
    void aBadConnectLineClosesTheClient() throws Exception {
        startGuest();
        SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket()));
        closeLater.add(client);
        client.write(ByteBuffer.wrap("HELLO there\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(readLine(client)).isNull();
        SocketChannel longer = SocketChannel.open(UnixDomainSocketAddress.of(socket()));
        closeLater.add(longer);
        longer.write(ByteBuffer.wrap(new byte[100]));
        assertThat(readLine(longer)).isNull();
    }

    @Test
    void hostBytesStopWhenTheGuestGivesNoCreditAndResumeOnCreditUpdate() throws Exception {
        startGuest();
        ServerSocketChannel listener = hostListener(1234);
        guest.postRx(1);
        int small = 8192;
        guest.send(header(5000, 1234, VsockHeader.OP_REQUEST, 0, 0, small, 0));
        assertThat(guest.receive(WAIT).h().op()).isEqualTo(VsockHeader.OP_RESPONSE);
        SocketChannel host = listener.accept();
        closeLater.add(host);
        host.write(ByteBuffer.wrap(random(65536, 5)));

        guest.postRx(32);
        int got = 0;
        while (got < small) {
            got += guest.receive(WAIT).data().length;
        }
        assertThat(got).isEqualTo(small);
        Thread.sleep(300);
        assertThat(guest.rxUsed()).as("nothing beyond the credit").isEqualTo(guest.rxRead());

        guest.send(header(5000, 1234, VsockHeader.OP_CREDIT_UPDATE, 0, 0, small, small));
        int more = 0;
        while (more < small) {
            more += guest.receive(WAIT).data().length;
        }
        assertThat(more).isEqualTo(small);
    }

    @Test
    void creditRequestIsAnsweredWithCreditUpdate() throws Exception {
        startGuest();
        ServerSocketChannel listener = hostListener(1234);
        guestConnects(listener, 5000, 1234);
        guest.postRx(1);
        guest.send(header(5000, 1234, VsockHeader.OP_CREDIT_REQUEST, 0, 0, GUEST_BUF, 0));
        Packet p = guest.receive(WAIT);
        assertThat(p.h().op()).isEqualTo(VsockHeader.OP_CREDIT_UPDATE);
        assertThat(p.h().bufAlloc()).isEqualTo(GuestPackets.BUF_ALLOC);
    }

    @Test
    void shutdownPassesHalfClosesOnAndBothEndWithRst() throws Exception {
        startGuest();
        ServerSocketChannel listener = hostListener(1234);
        SocketChannel host = guestConnects(listener, 5000, 1234);
        guestSends(5000, 1234, "bye".getBytes(StandardCharsets.US_ASCII));
        guest.send(header(5000, 1234, VsockHeader.OP_SHUTDOWN, 0, VsockHeader.SHUTDOWN_SEND, GUEST_BUF, 0));
        assertThat(new String(readFully(host, 10), StandardCharsets.US_ASCII)).isEqualTo("bye"); // then EOF

        host.write(ByteBuffer.wrap("ok".getBytes(StandardCharsets.US_ASCII)));
        host.shutdownOutput();
        guest.postRx(4);
        Packet data = guest.receive(WAIT);
        assertThat(new String(data.data(), StandardCharsets.US_ASCII)).isEqualTo("ok");
        Packet shut = guest.receive(WAIT);
        assertThat(shut.h().op()).isEqualTo(VsockHeader.OP_SHUTDOWN);
        assertThat(shut.h().flags()).isEqualTo(VsockHeader.SHUTDOWN_SEND);

        guest.send(header(5000, 1234, VsockHeader.OP_SHUTDOWN, 0,
                VsockHeader.SHUTDOWN_SEND | VsockHeader.SHUTDOWN_RCV, GUEST_BUF, 2));
        assertThat(guest.receive(WAIT).h().op()).isEqualTo(VsockHeader.OP_RST);
        assertThat(guest.device.muxer().connectionCount()).isZero();
    }

    @Test
    void guestRstClosesTheHostEnd() throws Exception {
        startGuest();
        ServerSocketChannel listener = hostListener(1234);
        SocketChannel host = guestConnects(listener, 5000, 1234);
        guest.send(header(5000, 1234, VsockHeader.OP_RST, 0, 0, 0, 0));
        assertThat(host.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        assertThat(guest.device.muxer().connectionCount()).isZero();
    }

    @Test
    void thirtyTwoConnectionsAtOnceKeepTheirBytesApart() throws Exception {
        startGuest();
        ServerSocketChannel listener = hostListener(1234);
        int n = 32;
        SocketChannel[] hosts = new SocketChannel[n];
        for (int i = 0; i < n; i++) {
            hosts[i] = guestConnects(listener, 6000 + i, 1234);
        }
        // Host to guest: every host end writes its own pattern; the guest sorts packets by port.
        byte[][] down = new byte[n][];
        for (int i = 0; i < n; i++) {
            down[i] = random(20_000, 100 + i);
            hosts[i].write(ByteBuffer.wrap(down[i]));
        }
        ByteArrayOutputStream[] got = new ByteArrayOutputStream[n];
        for (int i = 0; i < n; i++) {
            got[i] = new ByteArrayOutputStream();
        }
        int total = 0;
        while (total < n * 20_000) {
            if (guest.rx.availCount() == 0) {
                guest.postRx(32);
            }
            Packet p = guest.receive(WAIT);
            if (p.h().op() == VsockHeader.OP_RW) {
                got[p.h().dstPort() - 6000].write(p.data());
                total += p.data().length;
            }
        }
        for (int i = 0; i < n; i++) {
            assertThat(sha(got[i].toByteArray())).as("connection %d", i).isEqualTo(sha(down[i]));
        }
        // Guest to host, interleaved packets.
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < n; i++) {
                guest.send(header(6000 + i, 1234, VsockHeader.OP_RW, 4, 0, GUEST_BUF, 0),
                        new byte[] {(byte) i, (byte) round, 0, 0});
            }
        }
        for (int i = 0; i < n; i++) {
            byte[] b = readFully(hosts[i], 16);
            for (int round = 0; round < 4; round++) {
                assertThat(b[round * 4]).isEqualTo((byte) i);
                assertThat(b[round * 4 + 1]).isEqualTo((byte) round);
            }
        }
        assertThat(guest.device.muxer().connectionCount()).isEqualTo(n);
    }
}
