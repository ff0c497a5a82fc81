package io.jvmm.virtio.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.spi.DeviceException;
import io.jvmm.virtio.block.Chains;
import io.jvmm.virtio.block.FakeActivation;
import io.jvmm.virtio.block.FakeQueue;
import io.jvmm.virtio.block.TestMemory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VirtioConsoleTest {
    @TempDir
    Path dir;

    private final TestMemory memory = new TestMemory(1 << 20);
    private final Chains chains = new Chains(memory, 0x1000, 16);
    private final InputBuffer input = new InputBuffer();
    private FakeActivation activation;
    private VirtioConsole console;

    private FakeQueue[] start(ConsoleBackend backend, Optional<ConsoleSize> size, long features) {
        console = new VirtioConsole("con0", backend, input, size);
        backend.start((name, body) -> {
            Thread t = new Thread(body, name);
            t.setDaemon(true);
            t.start();
            return t;
        });
        FakeQueue rx = new FakeQueue(0, 128);
        FakeQueue tx = new FakeQueue(1, 128);
        activation = new FakeActivation(features, memory, rx, tx);
        console.activate(activation);
        return new FakeQueue[] {rx, tx};
    }

    @AfterEach
    void stop() throws Exception {
        if (activation != null) {
            activation.stopAndJoin();
            assertThat(activation.workers).allSatisfy(t -> assertThat(t.isAlive()).isFalse());
            console.reset();
            console.close();
        }
    }

    private void send(FakeQueue tx, String text) throws InterruptedException {
        int before = tx.awaitUsed(0, 1).size();
        chains.out(text.getBytes(StandardCharsets.UTF_8));
        tx.offer(chains.chain());
        tx.awaitUsed(before + 1, 5000);
    }

    @Test
    void guestOutputGoesToTheFileInOrder() throws Exception {
        Path log = dir.resolve("hvc0.log");
        Files.writeString(log, "old contents\n");
        FakeQueue[] q = start(FileBackend.open(log), Optional.empty(), 0);
        assertThat(Files.readString(log)).isEmpty();
        send(q[1], "Linux version 6.1\n");
        send(q[1], "hello from hvc0\n");
        assertThat(Files.readString(log)).isEqualTo("Linux version 6.1\nhello from hvc0\n");
    }

    @Test
    void hostInputFillsTheGuestsReceiveBuffers() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream keyboard = new ByteArrayInputStream("ls -l\n".getBytes(StandardCharsets.US_ASCII));
        FakeQueue[] q = start(new StdioBackend(out, keyboard, input), Optional.empty(), 0);
        long buf = chains.in(4);
        long buf2 = chains.in(64);
        q[0].offer(chains.chain());
        List<FakeQueue.Used> used = q[0].awaitUsed(1, 5000);
        // One chain takes as much as fits: all 6 bytes, across its two buffers.
        assertThat(used.get(0).written()).isEqualTo(6);
        assertThat(new String(memory.bytes(buf, 4), StandardCharsets.US_ASCII)).isEqualTo("ls -");
        assertThat(new String(memory.bytes(buf2, 2), StandardCharsets.US_ASCII)).isEqualTo("l\n");

        send(q[1], "$ ");
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("$ ");
    }

    @Test
    void inputWaitsForTheGuestToPostBuffers() throws Exception {
        FakeQueue[] q = start(FileBackend.open(dir.resolve("x")), Optional.empty(), 0);
        input.put("abc".getBytes(StandardCharsets.US_ASCII), 0, 3);
        Thread.sleep(300);
        assertThat(input.available()).isEqualTo(3);
        long buf = chains.in(2);
        long buf2 = chains.in(16);
        q[0].offer(chains.chain());
        assertThat(q[0].awaitUsed(1, 5000).get(0).written()).isEqualTo(3);
        assertThat(memory.bytes(buf, 2)).isEqualTo("ab".getBytes(StandardCharsets.US_ASCII));
        assertThat(memory.readByte(buf2)).isEqualTo((byte) 'c');
    }

    @Test
    void aResizeIsReportedThroughConfigSpaceAndAConfigChange() throws Exception {
        start(FileBackend.open(dir.resolve("x")), Optional.of(new ConsoleSize(80, 25)),
                1L << VirtioConsole.F_SIZE);
        assertThat(console.deviceFeatures() & 1L << VirtioConsole.F_SIZE).isNotZero();
        assertThat(activation.configChanges).as("initial size announced").isEqualTo(1);
        console.resize(new ConsoleSize(132, 43));
        assertThat(activation.configChanges).isEqualTo(2);
        byte[] c = new byte[4];
        console.readConfig(0, c);
        ByteBuffer b = ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getShort(0)).isEqualTo((short) 132);
        assertThat(b.getShort(2)).isEqualTo((short) 43);
        console.resize(new ConsoleSize(132, 43));
        assertThat(activation.configChanges).as("no change, no interrupt").isEqualTo(2);
    }

    @Test
    void withoutASizeTheFeatureIsNotOffered() throws Exception {
        start(FileBackend.open(dir.resolve("x")), Optional.empty(), 0);
        assertThat(console.deviceFeatures() & 1L << VirtioConsole.F_SIZE).isZero();
        console.resize(new ConsoleSize(100, 30));
        assertThat(activation.configChanges).isZero();
    }

    /** Records the largest single write the device makes to the backend. */
    private static final class LargestWrite extends ByteArrayOutputStream {
        int largest;

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            largest = Math.max(largest, len);
            super.write(b, off, len);
        }
    }

    @Test
    void aLongTransmitChainIsCopiedInBoundedPiecesNotOneArray() throws Exception {
        LargestWrite out = new LargestWrite();
        FakeQueue[] q = start(new StdioBackend(out, InputStream.nullInputStream(), input), Optional.empty(), 0);
        // Overlapping buffers: 12 times the same 64 KiB of guest RAM, 768 KiB of output.
        byte[] text = "0123456789abcdef".repeat(4096).getBytes(StandardCharsets.US_ASCII);
        long at = chains.out(text);
        for (int i = 1; i < 12; i++) {
            chains.raw(at, text.length, false);
        }
        q[1].offer(chains.chain());
        q[1].awaitUsed(1, 5000);

        assertThat(out.size()).isEqualTo(12 * text.length);
        assertThat(out.largest).isLessThanOrEqualTo(io.jvmm.virtio.queue.ChainBudget.COPY_PIECE);
        assertThat(activation.needsReset).isNull();
    }

    @Test
    void aTransmitChainOverTheCopyBudgetResetsTheDeviceAndWritesNothing() throws Exception {
        LargestWrite out = new LargestWrite();
        FakeQueue[] q = start(new StdioBackend(out, InputStream.nullInputStream(), input), Optional.empty(), 0);
        long at = chains.out(new byte[64 << 10]);
        // 128 overlapping 64 KiB buffers: 8 MiB of "output" from 64 KiB of guest RAM.
        for (int i = 1; i < 128; i++) {
            chains.raw(at, 64 << 10, false);
        }
        q[1].offer(chains.chain());

        long deadline = System.currentTimeMillis() + 5000;
        while (activation.needsReset == null && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertThat(activation.needsReset).contains("more than the " + io.jvmm.virtio.queue.ChainBudget.MAX_COPY_BYTES);
        assertThat(out.size()).isZero();
    }

    @Test
    void emergencyWriteOutputsOneByte() throws Exception {
        Path log = dir.resolve("e.log");
        start(FileBackend.open(log), Optional.empty(), 0);
        console.writeConfig(VirtioConsole.EMERG_WR, new byte[] {'!', 0, 0, 0});
        assertThat(Files.readString(log)).isEqualTo("!");
    }

    @Test
    void aSocketClientGetsTheBacklogThenLiveOutputAndItsInputReachesTheGuest() throws Exception {
        Path sock = dir.resolve("con.sock");
        FakeQueue[] q = start(SocketBackend.listen(sock, input), Optional.empty(), 0);
        send(q[1], "boot messages\n");
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(sock));
            assertThat(readSome(c, 14)).isEqualTo("boot messages\n");
            send(q[1], "login: ");
            assertThat(readSome(c, 7)).isEqualTo("login: ");

            // A second client is turned away while the first is attached.
            try (SocketChannel second = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                second.connect(UnixDomainSocketAddress.of(sock));
                assertThat(second.read(ByteBuffer.allocate(16))).isEqualTo(-1);
            }

            c.write(ByteBuffer.wrap("root\n".getBytes(StandardCharsets.US_ASCII)));
            long buf = chains.in(64);
            q[0].offer(chains.chain());
            assertThat(q[0].awaitUsed(1, 5000).get(0).written()).isEqualTo(5);
            assertThat(new String(memory.bytes(buf, 5), StandardCharsets.US_ASCII)).isEqualTo("root\n");
        }
    }

    @Test
    void aStaleSocketIsReplacedButARegularFileIsNot() throws Exception {
        Path sock = dir.resolve("s.sock");
        SocketBackend.listen(sock, input).close();
        try (var s = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(sock)); // left behind, as by a crashed run
        }
        SocketBackend.listen(sock, input).close();
        Path file = Files.writeString(dir.resolve("plain"), "x");
        assertThatThrownBy(() -> SocketBackend.listen(file, input))
                .isInstanceOf(DeviceException.class).hasMessageContaining("not a socket");
    }

    private static String readSome(SocketChannel c, int n) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining() && c.read(b) > 0) {
            // keep reading
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }
}
