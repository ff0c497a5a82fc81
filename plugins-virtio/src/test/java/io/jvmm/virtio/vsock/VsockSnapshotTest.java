package io.jvmm.virtio.vsock;

import static io.jvmm.virtio.vsock.FakeGuest.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.spi.Snapshottable.StateException;
import io.jvmm.virtio.ChainBuffer;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.block.FakeQueue;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VsockSnapshotTest {
    @TempDir
    Path dir;

    @Test
    void restoredDeviceSendsTransportResetAndListensAgain() throws Exception {
        Path socket = dir.resolve("vm.vsock");
        VirtioVsock before = new VirtioVsock("vsock0", 3, socket);
        before.listen();
        byte[] state = before.saveState();
        before.close();

        VirtioVsock after = new VirtioVsock("vsock0", 3, socket);
        after.listen();
        after.restoreState(state);
        try (FakeGuest guest = new FakeGuest(after)) {
            long at = 0x100000;
            guest.event.offer(new DescriptorChain(guest.memory, 0, List.of(new ChainBuffer(at, 8, true))));
            guest.start();
            List<FakeQueue.Used> used = guest.event.awaitUsed(1, 5000);
            assertThat(used.get(0).written()).isEqualTo(4);
            assertThat(guest.memory.readInt(at)).isEqualTo(VirtioVsock.EVENT_TRANSPORT_RESET);

            try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                listener.bind(UnixDomainSocketAddress.of(Path.of(socket + "_22")));
                guest.postRx(1);
                guest.send(header(7000, 22, VsockHeader.OP_REQUEST, 0, 0, 65536, 0));
                assertThat(guest.receive(5000).h().op()).isEqualTo(VsockHeader.OP_RESPONSE);
            }
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                client.write(ByteBuffer.wrap("CONNECT 99\n".getBytes(StandardCharsets.US_ASCII)));
                guest.postRx(4);
                FakeGuest.Packet p;
                do { // the connection above ends with an RST when its listener goes away
                    p = guest.receive(5000);
                } while (p.h().op() == VsockHeader.OP_RST);
                assertThat(p.h().op()).isEqualTo(VsockHeader.OP_REQUEST);
                assertThat(p.h().dstPort()).isEqualTo(99);
            }
        }
    }

    @Test
    void aNewlyStartedDeviceSendsNoEvent() throws Exception {
        VirtioVsock device = new VirtioVsock("vsock0", 3, dir.resolve("vm.vsock"));
        device.listen();
        try (FakeGuest guest = new FakeGuest(device)) {
            guest.event.offer(new DescriptorChain(guest.memory, 0, List.of(new ChainBuffer(0x100000, 8, true))));
            guest.start();
            Thread.sleep(200);
            assertThat(guest.event.awaitUsed(0, 0)).isEmpty();
        }
    }

    @Test
    void stateMustMatchCidAndSocket() throws Exception {
        byte[] state = new VirtioVsock("v", 3, dir.resolve("a")).saveState();
        assertThatThrownBy(() -> new VirtioVsock("v", 4, dir.resolve("a")).restoreState(state))
                .isInstanceOf(StateException.class).hasMessageContaining("CID");
        assertThatThrownBy(() -> new VirtioVsock("v", 3, dir.resolve("b")).restoreState(state))
                .isInstanceOf(StateException.class).hasMessageContaining("socket");
        assertThatThrownBy(() -> VsockState.decode(new VsockState(2, "a").encode()))
                .isInstanceOf(StateException.class);
        assertThatThrownBy(() -> VsockState.decode(new byte[] {9, 0, 0, 0})).isInstanceOf(StateException.class);
    }
}
