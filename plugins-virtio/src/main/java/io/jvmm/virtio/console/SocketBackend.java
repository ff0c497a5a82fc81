package io.jvmm.virtio.console;

import io.jvmm.spi.DeviceException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Port 0 on a unix stream socket jvmm listens on (e.g. {@code socat -,raw,echo=0
 * UNIX-CONNECT:console.sock}). One client at a time: a second one is closed at once. Output
 * made while nobody is connected is kept (the last {@value #BACKLOG} bytes) and sent to the
 * next client, so attaching later still shows the boot.
 */
final class SocketBackend implements ConsoleBackend {
    static final int BACKLOG = 64 * 1024;
    /** sun_path is 108 bytes with the terminating NUL. */
    static final int MAX_PATH = 107;
    private static final Logger LOG = LoggerFactory.getLogger(SocketBackend.class);

    private final Path path;
    private final ServerSocketChannel server;
    private final InputBuffer input;
    private final byte[] backlog = new byte[BACKLOG];
    private int backlogStart;
    private int backlogSize;
    private SocketChannel client;
    private volatile boolean closed;

    private SocketBackend(Path path, ServerSocketChannel server, InputBuffer input) {
        this.path = path;
        this.server = server;
        this.input = input;
    }

    static SocketBackend listen(Path path, InputBuffer input) throws DeviceException {
        if (path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PATH) {
            throw new DeviceException("virtio-console: socket path " + path + " is longer than " + MAX_PATH
                    + " bytes, the limit for unix sockets: use a shorter path");
        }
        try {
            if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS);
                if (!a.isOther()) {
                    throw new DeviceException("virtio-console: " + path + " exists and is not a socket: "
                            + "remove it or pick another path");
                }
                Files.delete(path); // a socket left by an earlier run
            }
            ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            s.bind(UnixDomainSocketAddress.of(path));
            return new SocketBackend(path, s, input);
        } catch (IOException e) {
            throw new DeviceException("virtio-console: cannot listen on " + path + ": " + e.getMessage()
                    + " (check the directory exists and is writable)", e);
        }
    }

    @Override
    public void start(ThreadStarter threads) {
        threads.start("console-accept", () -> acceptLoop(threads));
    }

    private void acceptLoop(ThreadStarter threads) {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("virtio-console: accept on {} failed: {}", path, e.toString());
                }
                return;
            }
            if (!attach(c)) {
                closeQuietly(c); // one client at a time
                continue;
            }
            threads.start("console-client", () -> {
                readClient(c);
                detach(c);
            });
        }
    }

    private synchronized boolean attach(SocketChannel c) {
        if (client != null) {
            return false;
        }
        client = c;
        try {
            ByteBuffer old = ByteBuffer.allocate(backlogSize);
            for (int i = 0; i < backlogSize; i++) {
                old.put(backlog[(backlogStart + i) % BACKLOG]);
            }
            old.flip();
            while (old.hasRemaining()) {
                c.write(old);
            }
            backlogSize = 0;
            backlogStart = 0;
        } catch (IOException e) {
            client = null;
            return false;
        }
        return true;
    }

    private void readClient(SocketChannel c) {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        try {
            while (c.read(buf) > 0) {
                if (!input.put(buf.array(), 0, buf.position())) {
                    return;
                }
                buf.clear();
            }
        } catch (IOException e) {
            // The client went away.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void detach(SocketChannel c) {
        if (client == c) {
            client = null;
        }
        closeQuietly(c);
    }

    @Override
    public synchronized void write(byte[] data, int offset, int length) {
        if (client != null) {
            try {
                ByteBuffer b = ByteBuffer.wrap(data, offset, length);
                while (b.hasRemaining()) {
                    client.write(b);
                }
                return;
            } catch (IOException e) {
                closeQuietly(client); // its reader sees the close and detaches it
                client = null;
            }
        }
        for (int i = 0; i < length; i++) {
            int at = (backlogStart + backlogSize) % BACKLOG;
            backlog[at] = data[offset + i];
            if (backlogSize < BACKLOG) {
                backlogSize++;
            } else {
                backlogStart = (backlogStart + 1) % BACKLOG;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        synchronized (this) {
            if (client != null) {
                closeQuietly(client);
            }
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // Left for the next run to replace.
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Nothing more to do.
        }
    }

    @Override
    public String toString() {
        return "socket " + path;
    }
}
