package io.jvmm.virtio.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvmm.spi.DeviceException;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.block.Chains;
import io.jvmm.virtio.block.FakeActivation;
import io.jvmm.virtio.block.FakeQueue;
import io.jvmm.config.TomlDeviceConfig;
import io.jvmm.testkit.DeviceConfigs;
import io.jvmm.virtio.block.TestMemory;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The device against a real tap: the test plays the guest driver with fake queues and talks to
 * the host's own network stack through the tap (ARP, ICMP). Needs /dev/net/tun and
 * CAP_NET_ADMIN (root); skipped otherwise.
 */
class VirtioNetTapTest {
    private static final byte[] GUEST_MAC = MacAddress.parse("02:6a:76:00:00:02").bytes();

    private final TestMemory memory = new TestMemory(4 << 20);
    private final Chains chains = new Chains(memory, 0x1000, 64);
    private String name;
    private byte[] hostIp;
    private byte[] guestIp;
    private Tap tap;
    private TestEventFd rxKick;
    private TestEventFd txKick;
    private FakeActivation activation;
    private VirtioNet device;

    @BeforeEach
    void openTap() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "no /dev/net/tun");
        int n = ThreadLocalRandom.current().nextInt(10, 250);
        name = "jvt" + ProcessHandle.current().pid() % 100000 + "x" + n;
        hostIp = new byte[] {10, (byte) 219, (byte) n, 1};
        guestIp = new byte[] {10, (byte) 219, (byte) n, 2};
        try {
            tap = Tap.open(name, NetHeader.SIZE);
        } catch (DeviceException e) {
            assumeTrue(false, "cannot create a tap here: " + e.getMessage());
        }
        sh("sysctl", "-qw", "net.ipv6.conf." + name + ".disable_ipv6=1");
        assertThat(sh("ip", "addr", "add", ip(hostIp) + "/24", "dev", name)).isZero();
        assertThat(sh("ip", "link", "set", name, "up")).isZero();
        rxKick = new TestEventFd();
        txKick = new TestEventFd();
    }

    @AfterEach
    void close() throws Exception {
        if (activation != null) {
            activation.stopAndJoin();
            assertThat(activation.workers).allSatisfy(t -> assertThat(t.isAlive()).isFalse());
        }
        if (device != null) {
            device.reset();
            device.close();
        } else if (tap != null) {
            tap.close();
        }
        if (rxKick != null) {
            rxKick.close();
            txKick.close();
        }
    }

    private FakeQueue[] start(long features) {
        NetConfig cfg = NetConfig.from(DeviceConfigs.of("virtio-net", "net0", Path.of("/"), Map.of("tap", name)));
        device = new VirtioNet("net0", tap, cfg);
        assertThat(device.acceptFeatures(features)).isTrue();
        FakeQueue rx = new FakeQueue(0, 256, rxKick);
        FakeQueue tx = new FakeQueue(1, 256, txKick);
        activation = new FakeActivation(features, memory, rx, tx);
        device.activate(activation);
        assertThat(activation.needsReset).isNull();
        return new FakeQueue[] {rx, tx};
    }

    @Test
    void anArpRequestFromTheGuestGetsTheHostsReplyInAReceiveBuffer() throws Exception {
        FakeQueue[] q = start(NetFeatures.offered(false, false) & ~NetFeatures.bit(NetFeatures.MRG_RXBUF));
        List<Long> rxBuffers = postRx(q[0], 8, 2048);

        transmit(q[1], new NetHeader(0, 0, 0, 0, 0, 0, 0), arpRequest());
        FakeQueue.Used reply = awaitFrame(q[0], rxBuffers, 0x0806);
        byte[] frame = frameOf(reply, rxBuffers);
        ByteBuffer b = ByteBuffer.wrap(frame);
        assertThat(Arrays.copyOfRange(frame, 0, 6)).as("to the guest").isEqualTo(GUEST_MAC);
        assertThat(b.getShort(20)).as("ARP reply").isEqualTo((short) 2);
        assertThat(Arrays.copyOfRange(frame, 28, 32)).as("sender IP").isEqualTo(hostIp);
        NetHeader h = NetHeader.parse(memory.bytes(rxBuffers.get(rxIndex(reply, rxBuffers)), 12));
        assertThat(h.numBuffers()).isEqualTo(1);
    }

    @Test
    void aPartiallyChecksummedPingIsAnsweredAndALargeReplySpansMergeableBuffers() throws Exception {
        long features = NetFeatures.offered(false, true);
        FakeQueue[] q = start(features);
        // 256-byte buffers: the 1042-byte echo reply needs five of them (5.1.6.4 num_buffers).
        List<Long> rxBuffers = postRx(q[0], 64, 256);

        transmit(q[1], new NetHeader(0, 0, 0, 0, 0, 0, 0), arpRequest());
        awaitFrame(q[0], rxBuffers, 0x0806);

        byte[] payload = new byte[1000];
        ThreadLocalRandom.current().nextBytes(payload);
        // VIRTIO_NET_HDR_F_NEEDS_CSUM: the ICMP checksum is left for the host to finish (csum at 34 + 2).
        transmit(q[1], new NetHeader(NetHeader.F_NEEDS_CSUM, 0, 0, 0, 34, 2, 0), icmpEcho(payload, false));

        FakeQueue.Used first = awaitFrame(q[0], rxBuffers, 0x0800);
        int start = rxIndex(first, rxBuffers);
        NetHeader h = NetHeader.parse(memory.bytes(rxBuffers.get(start), 12));
        assertThat(h.numBuffers()).isEqualTo(5);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        List<FakeQueue.Used> used = q[0].awaitUsed(usedIndex(q[0], first) + 5, 5000);
        for (int i = 0; i < 5; i++) {
            FakeQueue.Used u = used.get(usedIndex(q[0], first) + i);
            all.write(memory.bytes(rxBuffers.get(rxIndex(u, rxBuffers)), u.written()));
        }
        byte[] frame = Arrays.copyOfRange(all.toByteArray(), 12, all.size());
        assertThat(frame).hasSize(14 + 20 + 8 + 1000);
        assertThat(frame[34]).as("echo reply").isZero();
        assertThat(Arrays.copyOfRange(frame, 42, 1042)).isEqualTo(payload);
    }

    @Test
    void aSecondUserOfTheTapIsToldItIsBusy() {
        assertThatThrownBy(() -> Tap.open(name, NetHeader.SIZE))
                .isInstanceOf(DeviceException.class).hasMessageContaining("busy");
    }

    @Test
    void receiveOffloadsTheDriverAckedAreSwitchedOnInTheTapAndOffAtReset() throws Exception {
        assertThat(EthtoolProbe.get(name, EthtoolProbe.ETHTOOL_GTXCSUM)).as("before activation").isZero();
        start(NetFeatures.bit(NetFeatures.GUEST_CSUM) | NetFeatures.bit(NetFeatures.GUEST_TSO4)
                | NetFeatures.bit(NetFeatures.CSUM));
        // TUN_F_CSUM / TUN_F_TSO4 show as the tap's own checksum and TSO offloads.
        assertThat(EthtoolProbe.get(name, EthtoolProbe.ETHTOOL_GTXCSUM)).isEqualTo(1);
        assertThat(EthtoolProbe.get(name, EthtoolProbe.ETHTOOL_GTSO)).isEqualTo(1);
        activation.stopAndJoin();
        device.reset();
        assertThat(EthtoolProbe.get(name, EthtoolProbe.ETHTOOL_GTXCSUM)).isZero();
        assertThat(EthtoolProbe.get(name, EthtoolProbe.ETHTOOL_GTSO)).isZero();
    }

    @Test
    void withoutGuestCsumTheTapChecksumsEverythingItHandsUs() throws Exception {
        start(NetFeatures.bit(NetFeatures.CSUM) | NetFeatures.bit(NetFeatures.HOST_TSO4));
        assertThat(EthtoolProbe.get(name, EthtoolProbe.ETHTOOL_GTXCSUM)).isZero();
        assertThat(EthtoolProbe.get(name, EthtoolProbe.ETHTOOL_GTSO)).isZero();
    }

    // ---- driver side -------------------------------------------------------------------------

    private List<Long> postRx(FakeQueue rx, int count, int size) {
        List<Long> addrs = new ArrayList<>();
        DescriptorChain[] cs = new DescriptorChain[count];
        for (int i = 0; i < count; i++) {
            addrs.add(chains.in(size));
            cs[i] = chains.chain();
        }
        rx.offer(cs);
        return addrs;
    }

    private int rxIndex(FakeQueue.Used u, List<Long> rxBuffers) {
        return rxBuffers.indexOf(u.chain().writable().get(0).address());
    }

    private static int usedIndex(FakeQueue q, FakeQueue.Used u) throws InterruptedException {
        return q.awaitUsed(0, 1).indexOf(u);
    }

    private void transmit(FakeQueue tx, NetHeader h, byte[] frame) throws InterruptedException {
        chains.out(h.toBytes());
        chains.out(frame);
        int before = tx.awaitUsed(0, 1).size();
        tx.offer(chains.chain());
        tx.awaitUsed(before + 1, 5000);
    }

    /** Waits for the first received frame of {@code etherType} and returns its (first) used entry. */
    private FakeQueue.Used awaitFrame(FakeQueue rx, List<Long> rxBuffers, int etherType) throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        int seen = 0;
        while (System.currentTimeMillis() < end) {
            List<FakeQueue.Used> used = rx.awaitUsed(0, 1);
            for (int i = seen; i < used.size(); i++) {
                FakeQueue.Used u = used.get(i);
                int idx = rxIndex(u, rxBuffers);
                if (idx < 0) {
                    continue;
                }
                NetHeader h = NetHeader.parse(memory.bytes(rxBuffers.get(idx), 12));
                byte[] eth = memory.bytes(rxBuffers.get(idx) + 12, 14);
                int type = (eth[12] & 0xff) << 8 | eth[13] & 0xff;
                if (type == etherType) {
                    return u;
                }
                i += Math.max(0, h.numBuffers() - 1);
            }
            seen = used.size();
            Thread.sleep(10);
        }
        throw new AssertionError("no frame of type 0x" + Integer.toHexString(etherType) + " arrived");
    }

    private byte[] frameOf(FakeQueue.Used u, List<Long> rxBuffers) {
        long at = rxBuffers.get(rxIndex(u, rxBuffers));
        return memory.bytes(at + 12, u.written() - 12);
    }

    private byte[] arpRequest() {
        ByteBuffer b = ByteBuffer.allocate(42);
        b.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(GUEST_MAC).putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        b.put(GUEST_MAC).put(guestIp).put(new byte[6]).put(hostIp);
        return b.array();
    }

    private byte[] icmpEcho(byte[] payload, boolean fullChecksum) {
        byte[] hostMac = hostMac();
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + payload.length).order(ByteOrder.BIG_ENDIAN);
        b.put(hostMac).put(GUEST_MAC).putShort((short) 0x0800);
        int ipStart = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 8 + payload.length)).putShort((short) 1)
                .putShort((short) 0x4000).put((byte) 64).put((byte) 1).putShort((short) 0).put(guestIp).put(hostIp);
        b.putShort(ipStart + 10, checksum(b.array(), ipStart, 20));
        b.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) 0x1234).putShort((short) 1).put(payload);
        if (fullChecksum) {
            b.putShort(34 + 2, checksum(b.array(), 34, 8 + payload.length));
        }
        return b.array();
    }

    private byte[] hostMac() {
        try {
            return MacAddress.parse(Files.readString(Path.of("/sys/class/net", name, "address")).strip()).bytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static short checksum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xff;
            int lo = i + 1 < len ? b[off + i + 1] & 0xff : 0;
            sum += hi << 8 | lo;
        }
        while (sum >> 16 != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }

    private static String ip(byte[] a) {
        return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
    }

    private static int sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor();
    }
}
