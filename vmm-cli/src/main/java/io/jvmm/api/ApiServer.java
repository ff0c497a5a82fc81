package io.jvmm.api;

import io.jvmm.console.ConsoleTap;
import io.jvmm.control.EventedControl;
import io.jvmm.vm.StartupTimeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VM's API: HTTP/1.1 with JSON under {@code /api/v1} on a Unix socket (Jetty's Unix-domain
 * connector), so {@code curl --unix-socket} works. Every request costs bounded memory and time:
 * headers at most {@link #MAX_HEADER_BYTES}, bodies at most {@link ApiHandler#MAX_BODY}, a
 * connection silent for {@link #IDLE}, or whose request head takes longer than that
 * ({@link RequestDeadlines}), is closed, at most {@link #MAX_CONNECTIONS} at once, and
 * the socket is 0600 in a 0700 directory; a client that is neither the VM's user nor root is
 * refused by its peer credentials ({@link PeerCheck}) even if the file modes were loosened.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    static final int MAX_HEADER_BYTES = 8 * 1024;
    static final Duration IDLE = Duration.ofSeconds(10);
    static final int MAX_CONNECTIONS = 64;
    private static final int MAX_THREADS = 96;
    private static final Duration FINISH = Duration.ofSeconds(5);

    private final Path socket;
    private final Server server;

    private final ApiHandler handler;

    private final RequestDeadlines deadlines;

    private ApiServer(Path socket, Server server, ApiHandler handler, RequestDeadlines deadlines) {
        this.socket = socket;
        this.server = server;
        this.handler = handler;
        this.deadlines = deadlines;
    }

    /**
     * Binds {@code socket} (see {@link ApiSockets#prepare}) and serves {@code vm} on it. Its
     * threads are Jetty's own pool, started here: call this from a thread without a seccomp
     * filter (the filter of a vCPU or device thread would be inherited).
     */
    public static ApiServer start(Path socket, EventedControl vm, ConsoleTap console, String config)
            throws ApiSocketException {
        return start(socket, vm, console, config, System.nanoTime());
    }

    /** Like {@link #start(Path, EventedControl, ConsoleTap, String)}, for a VM that started at {@code startedNanos}. */
    public static ApiServer start(Path socket, EventedControl vm, ConsoleTap console, String config, long startedNanos)
            throws ApiSocketException {
        return start(socket, vm, console, config, startedNanos, IDLE);
    }

    /** As above, closing silent or slow connections after {@code idle} instead of {@link #IDLE} (tests). */
    static ApiServer start(Path socket, EventedControl vm, ConsoleTap console, String config, long startedNanos,
                           Duration idle) throws ApiSocketException {
        long t0 = System.nanoTime();
        JettyStartup.skipJmxLookup();
        ApiSockets.prepare(socket);
        QueuedThreadPool pool = new QueuedThreadPool(MAX_THREADS, 2, 60_000);
        pool.setName("jvmm-api");
        pool.setDaemon(true);
        Server server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        http.setResponseHeaderSize(MAX_HEADER_BYTES);
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        UnixDomainServerConnector connector = new UnixDomainServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setUnixDomainPath(socket);
        connector.setIdleTimeout(idle.toMillis());
        // Jetty's default backlog lets one connection wait: while the acceptor thread is slow to
        // run (a guest spinning on both CPUs of a small host), a client's non-blocking connect
        // then fails at once instead of waiting its turn.
        connector.setAcceptQueueSize(MAX_CONNECTIONS);
        server.addConnector(connector);
        server.addBean(new ConnectionLimit(MAX_CONNECTIONS, connector));
        RequestDeadlines deadlines = new RequestDeadlines(idle);
        connector.addEventListener(deadlines);
        ApiHandler handler = new ApiHandler(vm, console, new PeerCheck(ownerName()), config, socket, deadlines,
                startedNanos);
        server.setHandler(handler);
        server.setStopTimeout(500);
        try {
            server.start();
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // already failing
            }
            throw new ApiSocketException("cannot listen on the API socket " + socket + ": " + e.getMessage());
        }
        StartupTimeline.mark("API socket listening");
        log.info("API on {} (started in {} ms)", socket, (System.nanoTime() - t0) / 1_000_000);
        return new ApiServer(socket, server, handler, deadlines);
    }

    private static String ownerName() {
        return new com.sun.security.auth.module.UnixSystem().getUsername();
    }

    public Path socket() {
        return socket;
    }

    /**
     * Stops serving and removes the socket, once the requests being answered are (within
     * {@link #FINISH}): the answer to the snapshot that ended the VM still reaches its client.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + FINISH.toNanos();
        while (handler.busy() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            server.stop();
        } catch (Exception e) {
            log.debug("API server stop: {}", e.toString());
        }
        deadlines.stop();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            log.debug("cannot remove {}: {}", socket, e.toString());
        }
    }
}
