package io.jvmm.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.jvmm.console.ConsoleTap;
import io.jvmm.control.Describe;
import io.jvmm.control.EventedControl;
import io.jvmm.control.ListDeviceCommands;
import io.jvmm.control.Operation;
import io.jvmm.control.Pause;
import io.jvmm.control.Resume;
import io.jvmm.control.RunDeviceCommand;
import io.jvmm.control.Shutdown;
import io.jvmm.control.TakeSnapshot;
import io.jvmm.control.VmControl;
import io.jvmm.control.VmEvents;
import io.jvmm.snapshot.SnapshotException;
import io.jvmm.spi.DeviceCommand;
import io.jvmm.vm.VmException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes of {@code /api/v1} (described by {@code openapi.json} beside this class). Every
 * answer is JSON but the console stream; every error is {@code {"error": "one sentence"}} with
 * its HTTP status. VM operations are the {@link Operation}s the shell runs.
 */
final class ApiHandler extends Handler.Abstract {
    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);
    static final int MAX_BODY = 64 * 1024;
    static final String PREFIX = "/api/v1";
    private static final long HEARTBEAT_MILLIS = 5000;
    private static final long STREAM_IDLE_MILLIS = 60_000;
    private static final Pattern DEVICE = Pattern.compile(PREFIX + "/vm/devices/([^/]+)/(commands|command)");

    private final EventedControl vm;
    private final ConsoleTap console;
    private final PeerCheck peers;
    private final String config;
    private final Path socket;
    private final long startNanos;

    private final RequestDeadlines deadlines;

    ApiHandler(EventedControl vm, ConsoleTap console, PeerCheck peers, String config, Path socket,
               RequestDeadlines deadlines, long startNanos) {
        super(InvocationType.BLOCKING);
        this.startNanos = startNanos;
        this.deadlines = deadlines;
        this.vm = vm;
        this.console = console;
        this.peers = peers;
        this.config = config;
        this.socket = socket;
    }

    /** Requests being answered, but for streams: the server waits for these before it stops. */
    private final java.util.concurrent.atomic.AtomicInteger busy = new java.util.concurrent.atomic.AtomicInteger();

    int busy() {
        return busy.get();
    }

    /** {@code callback} that also counts the request done, once, however it ends. */
    private Callback counting(Callback callback, org.eclipse.jetty.io.Connection connection, boolean stream) {
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        if (!stream) {
            busy.incrementAndGet();
        }
        deadlines.started(connection);
        return new Callback() {
            @Override
            public void succeeded() {
                try {
                    callback.succeeded();
                } finally {
                    end();
                }
            }

            @Override
            public void failed(Throwable x) {
                try {
                    callback.failed(x);
                } finally {
                    end();
                }
            }

            private void end() {
                if (done.compareAndSet(false, true)) {
                    if (!stream) {
                        busy.decrementAndGet();
                    }
                    deadlines.finished(connection);
                }
            }

            @Override
            public InvocationType getInvocationType() {
                return callback.getInvocationType();
            }
        };
    }

    @Override
    public boolean handle(Request request, Response response, Callback original) {
        String p = request.getHttpURI().getPath();
        // A stream lasts as long as its client wants: it must not hold up the server's stop.
        boolean stream = request.getMethod().equals("GET") && p != null
                && (p.equals(PREFIX + "/vm/events") || p.equals(PREFIX + "/vm/console"));
        Callback callback = counting(original, request.getConnectionMetaData().getConnection(), stream);
        try {
            String refused = peers.refusal(request.getConnectionMetaData().getConnection().getEndPoint());
            if (refused != null) {
                log.warn("API: refused a client: {}", refused);
                throw new ApiError(403, refused);
            }
            route(request, response, callback);
        } catch (ApiError e) {
            sendError(response, callback, e.status, e.getMessage());
        } catch (VmException | SnapshotException e) {
            sendError(response, callback, e.getMessage() != null && e.getMessage().startsWith("no device") ? 404 : 409,
                    e.getMessage());
        } catch (RuntimeException | Error e) {
            log.warn("API: {} {} failed", request.getMethod(), request.getHttpURI().getPath(), e);
            sendError(response, callback, 500, "internal error: " + e);
        }
        return true;
    }

    private void route(Request request, Response response, Callback callback)
            throws ApiError, VmException, SnapshotException {
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        if (path == null || !path.startsWith(PREFIX + "/")) {
            throw new ApiError(404, "no such resource: " + path + " (the API is under " + PREFIX + ")");
        }
        Matcher device = DEVICE.matcher(path);
        switch (path.substring(PREFIX.length())) {
            case "/openapi.json" -> {
                only(method, "GET", path);
                sendRaw(response, callback, 200, "application/json", OpenApi.document());
            }
            case "/vm" -> {
                only(method, "GET", path);
                send(response, callback, 200, vmView());
            }
            case "/vm/pause" -> {
                only(method, "PUT", path);
                emptyOrJson(request);
                send(response, callback, 200, Map.of("state", new Pause().apply(vm).name()));
            }
            case "/vm/resume" -> {
                only(method, "PUT", path);
                emptyOrJson(request);
                send(response, callback, 200, Map.of("state", new Resume().apply(vm).name()));
            }
            case "/vm/snapshot" -> {
                only(method, "PUT", path);
                JsonNode body = emptyOrJson(request);
                String dir = text(body, "dir", true);
                TakeSnapshot.After after = after(text(body, "after", false));
                TakeSnapshot.Taken t = new TakeSnapshot(Path.of(dir).toAbsolutePath(), after, null).apply(vm);
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("dir", t.dir().toString());
                answer.put("millis", t.millis());
                answer.put("state", t.state().name());
                send(response, callback, 200, answer);
            }
            case "/vm/shutdown" -> {
                only(method, "PUT", path);
                JsonNode body = emptyOrJson(request);
                JsonNode force = body.get("force");
                if (force != null && !force.isBoolean()) {
                    throw new ApiError(400, "'force' must be true or false");
                }
                VmControl.State s = new Shutdown(force != null && force.booleanValue()).apply(vm);
                send(response, callback, 202, Map.of("state", s.name()));
            }
            case "/vm/events" -> {
                only(method, "GET", path);
                events(request, response, callback);
            }
            case "/vm/console" -> {
                if (method.equals("GET")) {
                    consoleStream(request, response, callback);
                } else {
                    only(method, "PUT", path);
                    byte[] bytes = body(request);
                    if (!console.type(bytes)) {
                        throw new ApiError(409, "the guest's serial port is not running yet");
                    }
                    send(response, callback, 200, Map.of("typed", bytes.length));
                }
            }
            default -> {
                if (!device.matches()) {
                    throw new ApiError(404, "no such resource: " + path);
                }
                device(request, response, callback, device.group(1), device.group(2));
            }
        }
    }

    private void device(Request request, Response response, Callback callback, String id, String what)
            throws ApiError, VmException {
        if (what.equals("commands")) {
            only(request.getMethod(), "GET", request.getHttpURI().getPath());
            List<Map<String, String>> list = new ArrayList<>();
            for (DeviceCommand c : new ListDeviceCommands(id).apply(vm)) {
                list.add(Map.of("name", c.name(), "arguments", c.arguments(), "description", c.description()));
            }
            send(response, callback, 200, Map.of("device", id, "commands", list));
            return;
        }
        only(request.getMethod(), "PUT", request.getHttpURI().getPath());
        JsonNode body = emptyOrJson(request);
        String command = text(body, "command", true);
        List<String> args = new ArrayList<>();
        JsonNode a = body.get("args");
        if (a != null) {
            if (!a.isArray()) {
                throw new ApiError(400, "'args' must be an array of strings");
            }
            for (JsonNode x : a) {
                if (!x.isTextual()) {
                    throw new ApiError(400, "'args' must be an array of strings");
                }
                args.add(x.textValue());
            }
        }
        String out = new RunDeviceCommand(id, command, args).apply(vm);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("device", id);
        answer.put("command", command);
        answer.put("output", out);
        send(response, callback, 200, answer);
    }

    private Map<String, Object> vmView() {
        VmControl.Info info = new Describe().apply(vm);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", info.name());
        m.put("pid", ProcessHandle.current().pid());
        m.put("state", info.state().name());
        m.put("vcpus", info.vcpus());
        m.put("memoryBytes", info.memoryBytes());
        m.put("uptimeSeconds", (System.nanoTime() - startNanos) / 1_000_000_000L);
        m.put("config", config);
        m.put("socket", socket.toString());
        List<Map<String, Object>> devices = new ArrayList<>();
        for (VmControl.DeviceInfo d : info.devices()) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("id", d.id());
            dm.put("type", d.type());
            dm.put("snapshottable", d.snapshottable());
            dm.put("commands", d.commands());
            devices.add(dm);
        }
        m.put("devices", devices);
        return m;
    }

    /** Newline-delimited JSON, one event a line, until the VM stops or the client goes; blank lines keep it alive. */
    private void events(Request request, Response response, Callback callback) {
        request.getConnectionMetaData().getConnection().getEndPoint().setIdleTimeout(STREAM_IDLE_MILLIS);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/x-ndjson");
        try (VmEvents.Subscription sub = vm.events().subscribe();
             OutputStream out = Content.Sink.asOutputStream(response)) {
            out.flush();
            while (true) {
                VmEvents.Event e = sub.next(HEARTBEAT_MILLIS);
                long lost = sub.takeLost();
                if (lost > 0) {
                    out.write(line(Map.of("type", "lost", "count", lost)));
                }
                if (e == null) {
                    out.write('\n');
                } else {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("seq", e.seq());
                    m.put("time", e.time().toString());
                    m.put("type", e.type());
                    m.putAll(e.data());
                    out.write(line(m));
                }
                out.flush();
                if (e != null && e.type().equals("stopped")) {
                    break;
                }
            }
            callback.succeeded();
        } catch (IOException | RuntimeException e) {
            log.debug("API: event stream ended: {}", e.toString());
            callback.failed(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callback.failed(e);
        }
    }

    /** The guest's serial output: what it printed recently, then live, until the VM stops or the client goes. */
    private void consoleStream(Request request, Response response, Callback callback) {
        request.getConnectionMetaData().getConnection().getEndPoint().setIdleTimeout(0);
        boolean history = !"false".equals(org.eclipse.jetty.server.Request.extractQueryParameters(request)
                .getValue("history"));
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
        try (ConsoleTap.Client client = console.attach(); OutputStream out = Content.Sink.asOutputStream(response)) {
            if (history) {
                out.write(console.history());
            }
            out.flush();
            while (vm.state() != VmControl.State.STOPPED) {
                byte[] b = client.next(1000);
                if (b == null) {
                    continue;
                }
                if (b.length == 0) {
                    break;
                }
                out.write(b);
                out.flush();
            }
            callback.succeeded();
        } catch (IOException | RuntimeException e) {
            log.debug("API: console client gone: {}", e.toString());
            callback.failed(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callback.failed(e);
        }
    }

    private static TakeSnapshot.After after(String text) throws ApiError {
        if (text == null) {
            return TakeSnapshot.After.CONTINUE;
        }
        return switch (text) {
            case "continue" -> TakeSnapshot.After.CONTINUE;
            case "pause" -> TakeSnapshot.After.PAUSE;
            case "exit" -> TakeSnapshot.After.EXIT;
            default -> throw new ApiError(400, "'after' must be continue, pause or exit, not '" + text + "'");
        };
    }

    private static void only(String method, String allowed, String path) throws ApiError {
        if (!method.equals(allowed)) {
            throw new ApiError(405, method + " is not allowed on " + path + " (use " + allowed + ")");
        }
    }

    private static String text(JsonNode body, String key, boolean required) throws ApiError {
        JsonNode n = body.get(key);
        if (n == null || n.isNull()) {
            if (required) {
                throw new ApiError(400, "the request body needs \"" + key + "\"");
            }
            return null;
        }
        if (!n.isTextual() || n.textValue().isEmpty()) {
            throw new ApiError(400, "\"" + key + "\" must be a non-empty string");
        }
        return n.textValue();
    }

    /** The body as a JSON object; an empty body is an empty object. */
    private static JsonNode emptyOrJson(Request request) throws ApiError {
        byte[] bytes = body(request);
        if (bytes.length == 0) {
            return Json.mapper().createObjectNode();
        }
        try {
            JsonNode n = Json.mapper().readTree(bytes);
            if (n == null || !n.isObject()) {
                throw new ApiError(400, "the request body must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new ApiError(400, "the request body is not JSON: " + firstLine(e.getMessage()));
        }
    }

    /** Reads the body, refusing one larger than {@link #MAX_BODY} before or while reading it. */
    private static byte[] body(Request request) throws ApiError {
        long declared = request.getLength();
        if (declared > MAX_BODY) {
            throw new ApiError(413, "the request body has " + declared + " bytes; at most " + MAX_BODY + " are accepted");
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] b = in.readNBytes(MAX_BODY + 1);
            if (b.length > MAX_BODY) {
                throw new ApiError(413, "the request body is larger than " + MAX_BODY + " bytes");
            }
            return b;
        } catch (IOException e) {
            throw new ApiError(400, "cannot read the request body: " + e.getMessage());
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    private static byte[] line(Object value) throws JsonProcessingException {
        byte[] json = Json.mapper().writeValueAsBytes(value);
        byte[] out = java.util.Arrays.copyOf(json, json.length + 1);
        out[json.length] = '\n';
        return out;
    }

    private static void send(Response response, Callback callback, int status, Object value) {
        try {
            sendRaw(response, callback, status, "application/json", line(value));
        } catch (JsonProcessingException e) {
            sendError(response, callback, 500, "cannot write the answer: " + e.getMessage());
        }
    }

    private static void sendError(Response response, Callback callback, int status, String message) {
        if (response.isCommitted()) {
            callback.failed(new IOException(message));
            return;
        }
        try {
            sendRaw(response, callback, status, "application/json", line(Map.of("error", message)));
        } catch (JsonProcessingException e) {
            callback.failed(e);
        }
    }

    private static void sendRaw(Response response, Callback callback, int status, String type, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, java.nio.ByteBuffer.wrap(body), callback);
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
