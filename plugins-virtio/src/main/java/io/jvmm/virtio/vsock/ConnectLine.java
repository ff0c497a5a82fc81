package io.jvmm.virtio.vsock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A host client's first line on the device's Unix socket, {@code CONNECT <port>\n} (the hybrid
 * vsock protocol Firecracker and Cloud Hypervisor speak). It is read a byte at a time, so that
 * nothing the client sends after it is taken before the guest has accepted the connection.
 */
final class ConnectLine {
    /** Longer than any "CONNECT 4294967295" with spaces; a longer line is refused. */
    static final int MAX_LENGTH = 32;

    private final ByteBuffer line = ByteBuffer.allocate(MAX_LENGTH);
    private final ByteBuffer one = ByteBuffer.allocate(1);

    /**
     * Reads what the client has sent so far.
     *
     * @return the port the client asks for once the line is complete, or -1 while it is not
     * @throws IOException when the client closed first or the line is too long
     * @throws IllegalArgumentException when the line is not {@code CONNECT <port>}
     */
    long readFrom(SocketChannel ch) throws IOException {
        while (true) {
            one.clear();
            int n = ch.read(one);
            if (n < 0) {
                throw new IOException("closed before CONNECT");
            }
            if (n == 0) {
                return -1;
            }
            if (one.get(0) == '\n') {
                return Integer.toUnsignedLong(parse(new String(line.array(), 0, line.position(),
                        StandardCharsets.US_ASCII).strip()));
            }
            if (!line.hasRemaining()) {
                throw new IOException("CONNECT line too long");
            }
            line.put(one.get(0));
        }
    }

    /** The port of {@code "CONNECT <port>"}, an unsigned 32-bit number. */
    static int parse(String text) {
        if (!text.startsWith("CONNECT ")) {
            throw new IllegalArgumentException("expected CONNECT <port>, got " + text);
        }
        long port = Long.parseLong(text.substring("CONNECT ".length()).strip());
        if (port < 0 || port > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("port " + port + " out of range");
        }
        return (int) port;
    }
}
