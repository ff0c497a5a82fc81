package io.jvmm.virtio.vsock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectLineTest {
    @TempDir
    Path dir;

    @Test
    void parsesAnUnsignedPort() {
        assertThat(ConnectLine.parse("CONNECT 5000")).isEqualTo(5000);
        assertThat(Integer.toUnsignedLong(ConnectLine.parse("CONNECT 4294967295"))).isEqualTo(0xFFFF_FFFFL);
        assertThatThrownBy(() -> ConnectLine.parse("CONNECT 4294967296")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConnectLine.parse("CONNECT -1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConnectLine.parse("HELLO 1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConnectLine.parse("CONNECT x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsALineThatComesInPiecesAndLeavesWhatFollowsIt() throws IOException {
        try (ServerSocketChannel server = listen();
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel accepted = server.accept()) {
            accepted.configureBlocking(false);
            ConnectLine line = new ConnectLine();
            assertThat(line.readFrom(accepted)).isEqualTo(-1);
            client.write(ascii("CONNECT 50"));
            assertThat(line.readFrom(accepted)).isEqualTo(-1);
            client.write(ascii("00\nDATA"));
            assertThat(line.readFrom(accepted)).isEqualTo(5000);
            ByteBuffer rest = ByteBuffer.allocate(16);
            accepted.read(rest);
            assertThat(new String(rest.array(), 0, rest.position(), StandardCharsets.US_ASCII)).isEqualTo("DATA");
        }
    }

    @Test
    void refusesALineLongerThanItsBoundAndAClientThatLeavesEarly() throws IOException {
        try (ServerSocketChannel server = listen();
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel accepted = server.accept()) {
            client.write(ascii("CONNECT " + "1".repeat(ConnectLine.MAX_LENGTH)));
            assertThatThrownBy(() -> new ConnectLine().readFrom(accepted)).hasMessageContaining("too long");
        }
        try (ServerSocketChannel server = listen();
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel accepted = server.accept()) {
            client.write(ascii("CONN"));
            client.close();
            assertThatThrownBy(() -> new ConnectLine().readFrom(accepted)).hasMessageContaining("closed before CONNECT");
        }
    }

    private ServerSocketChannel listen() throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(dir.resolve("s" + System.nanoTime())));
        return s;
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }
}
