package io.jvmm.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client of one VM's API socket, for the {@code jvmm} commands and the tests. The JDK's
 * {@code HttpClient} cannot use a Unix socket, and Jetty's client would double the libraries the
 * CLI loads for five request shapes: this speaks just enough HTTP/1.1 (one request per
 * connection, {@code Content-Length} or chunked answers) over {@link SocketChannel}.
 */
public final class ApiClient {
    /** The most a non-streaming answer may hold. */
    static final int MAX_ANSWER = 4 << 20;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jvmm-api-client-timer");
        t.setDaemon(true);
        return t;
    });

    private final Path socket;

    public ApiClient(Path socket) {
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    /** An answer: its status and body. */
    public record Answer(int status, String contentType, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public JsonNode json() throws IOException {
            return Json.mapper().readTree(body);
        }

        /** The error sentence of an error answer, or the body as text. */
        public String error() {
            try {
                JsonNode n = json();
                if (n != null && n.has("error")) {
                    return n.get("error").asText();
                }
            } catch (IOException e) {
                // not JSON: the text itself
            }
            return text().strip();
        }

        public boolean ok() {
            return status / 100 == 2;
        }
    }

    /** Sends one request and reads the whole answer within {@code timeout}. */
    public Answer call(String method, String path, String jsonBody, Duration timeout) throws IOException {
        byte[] body = jsonBody == null ? new byte[0] : jsonBody.getBytes(StandardCharsets.UTF_8);
        SocketChannel ch = connect();
        ScheduledFuture<?> guard = TIMER.schedule(() -> closeQuietly(ch), timeout.toMillis(), TimeUnit.MILLISECONDS);
        try (ch) {
            Response r = exchange(ch, method, path, "application/json", body);
            byte[] bytes = r.body.readNBytes(MAX_ANSWER + 1);
            if (bytes.length > MAX_ANSWER) {
                throw new IOException("the answer from " + socket + " is larger than " + MAX_ANSWER + " bytes");
            }
            return new Answer(r.status, r.contentType, bytes);
        } catch (IOException e) {
            if (guard.isDone()) {
                throw new IOException("no answer from " + socket + " within " + timeout.toSeconds() + " s", e);
            }
            throw e;
        } finally {
            guard.cancel(false);
        }
    }

    /** Sends raw bytes (e.g. console input) with {@code contentType}. */
    public Answer send(String method, String path, String contentType, byte[] body, Duration timeout) throws IOException {
        SocketChannel ch = connect();
        ScheduledFuture<?> guard = TIMER.schedule(() -> closeQuietly(ch), timeout.toMillis(), TimeUnit.MILLISECONDS);
        try (ch) {
            Response r = exchange(ch, method, path, contentType, body);
            return new Answer(r.status, r.contentType, r.body.readNBytes(MAX_ANSWER));
        } finally {
            guard.cancel(false);
        }
    }

    /**
     * Opens a streaming GET (events, console); the stream is the answer's body, decoded. Closing
     * it closes the connection.
     *
     * @throws ApiClientException with the server's sentence when the answer is not 200
     */
    public InputStream stream(String path) throws IOException {
        SocketChannel ch = connect();
        try {
            Response r = exchange(ch, "GET", path, null, new byte[0]);
            if (r.status != 200) {
                Answer a = new Answer(r.status, r.contentType, r.body.readNBytes(MAX_ANSWER));
                ch.close();
                throw new ApiClientException(a.status(), a.error());
            }
            return new FilterInputStream(r.body) {
                @Override
                public void close() throws IOException {
                    ch.close();
                }
            };
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private SocketChannel connect() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return ch;
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot connect to " + socket + ": " + e.getMessage(), e);
        }
    }

    private record Response(int status, String contentType, InputStream body) {
    }

    private static Response exchange(SocketChannel ch, String method, String path, String contentType, byte[] body)
            throws IOException {
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
        if (body.length > 0 || !method.equals("GET")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
            if (contentType != null) {
                head.append("Content-Type: ").append(contentType).append("\r\n");
            }
        }
        head.append("\r\n");
        ByteBuffer out = ByteBuffer.allocate(head.length() + body.length);
        out.put(head.toString().getBytes(StandardCharsets.US_ASCII)).put(body).flip();
        while (out.hasRemaining()) {
            ch.write(out);
        }
        InputStream in = new BufferedInputStream(Channels.newInputStream(ch));
        String status = line(in);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP answer: '" + status + "'");
        }
        int code;
        try {
            code = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status: '" + status + "'");
        }
        long length = -1;
        boolean chunked = false;
        String type = "";
        for (int n = 0; ; n++) {
            String h = line(in);
            if (h.isEmpty()) {
                break;
            }
            if (n > 100) {
                throw new IOException("too many header lines in the answer");
            }
            int colon = h.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = h.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).strip();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "content-type" -> type = value;
                default -> { }
            }
        }
        InputStream bodyIn = chunked ? new Chunked(in) : length >= 0 ? new Bounded(in, length) : in;
        return new Response(code, type, bodyIn);
    }

    /** One CRLF-terminated line of at most 8 KiB, without the CRLF. */
    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("the connection closed in the middle of the answer");
            }
            if (b.size() > 8192) {
                throw new IOException("an answer line longer than 8 KiB");
            }
            b.write(c);
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing on timeout
        }
    }

    /** A body of a known length. */
    private static final class Bounded extends FilterInputStream {
        private long left;

        Bounded(InputStream in, long length) {
            super(in);
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int c = in.read();
            if (c >= 0) {
                left--;
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    /** A chunked body (RFC 9112 section 7.1), decoded. */
    private static final class Chunked extends FilterInputStream {
        private long left;
        private boolean done;

        Chunked(InputStream in) {
            super(in);
        }

        private boolean next() throws IOException {
            if (done) {
                return false;
            }
            if (left == 0) {
                String size = line(in);
                int semi = size.indexOf(';');
                try {
                    left = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("bad chunk size '" + size + "'");
                }
                if (left == 0) {
                    done = true;
                    return false;
                }
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!next()) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new IOException("the connection closed in the middle of a chunk");
            }
            left -= n;
            if (left == 0) {
                line(in);
            }
            return n;
        }
    }
}
