package io.jvmm.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvmm.console.ConsoleTap;
import io.jvmm.console.NullConsole;
import io.jvmm.control.EventedControl;
import io.jvmm.control.FakeVm;
import io.jvmm.control.VmControl;
import io.jvmm.control.VmEvents;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API server on a real Unix socket, over a fake VM: routes, errors, limits, streams. */
class ApiServerTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final Duration SHORT_IDLE = Duration.ofSeconds(3);
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)\r\nContent-Length: *(\\d+)\r\n");

    @TempDir
    Path tmp;
    private FakeVm fake;
    private EventedControl vm;
    private ConsoleTap console;
    private ApiServer server;
    private ApiClient client;
    private final List<byte[]> typed = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        fake = new FakeVm();
        vm = new EventedControl(fake, new VmEvents());
        console = new ConsoleTap(new NullConsole());
        console.attachInput(typed::add);
        Path socket = tmp.resolve("run/fake.sock");
        server = ApiServer.start(socket, vm, console, "/etc/fake.toml");
        client = new ApiClient(socket);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void getVmAnswersStateVcpusMemoryDevicesAndPid() throws IOException {
        ApiClient.Answer a = client.call("GET", "/api/v1/vm", null, T);
        assertThat(a.status()).isEqualTo(200);
        JsonNode j = a.json();
        assertThat(j.get("name").asText()).isEqualTo("fake");
        assertThat(j.get("state").asText()).isEqualTo("RUNNING");
        assertThat(j.get("vcpus").asInt()).isEqualTo(2);
        assertThat(j.get("memoryBytes").asLong()).isEqualTo(256L << 20);
        assertThat(j.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(j.get("config").asText()).isEqualTo("/etc/fake.toml");
        assertThat(j.get("devices")).hasSize(4);
    }

    @Test
    void pauseResumeAndAWrongStateIsAConflictWithOneSentence() throws IOException {
        assertThat(client.call("PUT", "/api/v1/vm/pause", null, T).text()).contains("\"PAUSED\"");
        ApiClient.Answer again = client.call("PUT", "/api/v1/vm/pause", null, T);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.error()).isEqualTo("cannot pause: the VM is paused");
        assertThat(client.call("PUT", "/api/v1/vm/resume", "", T).json().get("state").asText()).isEqualTo("RUNNING");
        assertThat(fake.calls).containsExactly("pause", "pause", "resume");
    }

    @Test
    void snapshotPausesWritesAndContinuesAndItsProgressIsOnTheEventStreamInOrder() throws Exception {
        try (InputStream events = client.stream("/api/v1/vm/events")) {
            BufferedReader r = new BufferedReader(new InputStreamReader(events, StandardCharsets.UTF_8));
            ApiClient.Answer a = client.call("PUT", "/api/v1/vm/snapshot", "{\"dir\": \"" + tmp.resolve("snap") + "\"}", T);
            assertThat(a.status()).as(a.text()).isEqualTo(200);
            assertThat(a.json().get("state").asText()).isEqualTo("RUNNING");
            List<String> types = new ArrayList<>();
            while (types.size() < 5) {
                String line = r.readLine();
                if (!line.isBlank()) {
                    types.add(Json.mapper().readTree(line).get("type").asText()
                            + (line.contains("\"state\":\"") ? ":" + Json.mapper().readTree(line).get("state").asText() : ""));
                }
            }
            assertThat(types).containsExactly("state:PAUSED", "snapshot-started", "snapshot-progress", "snapshot-done",
                    "state:RUNNING");
        }
    }

    @Test
    void shutdownAndDeviceCommandsGoThroughTheOperations() throws IOException {
        assertThat(client.call("PUT", "/api/v1/vm/devices/balloon0/command",
                "{\"command\": \"target\", \"args\": [\"128\"]}", T).status()).isEqualTo(200);
        assertThat(fake.balloonTargetMib).isEqualTo(128);
        ApiClient.Answer bad = client.call("PUT", "/api/v1/vm/devices/balloon0/command",
                "{\"command\": \"target\", \"args\": [\"lots\"]}", T);
        assertThat(bad.status()).isEqualTo(409);
        assertThat(bad.error()).contains("balloon0 target: expected one size in MiB");
        assertThat(client.call("GET", "/api/v1/vm/devices/nope/commands", null, T).status()).isEqualTo(404);
        assertThat(client.call("GET", "/api/v1/vm/devices/balloon0/commands", null, T).json().get("commands"))
                .hasSize(2);
        assertThat(client.call("PUT", "/api/v1/vm/shutdown", "{\"force\": true}", T).status()).isEqualTo(202);
        assertThat(fake.calls).contains("shutdown true");
    }

    @Test
    void badRequestsGetAStatusAndAJsonSentence() throws IOException {
        assertThat(client.call("DELETE", "/api/v1/vm", null, T).status()).isEqualTo(405);
        assertThat(client.call("GET", "/api/v1/nothing", null, T).status()).isEqualTo(404);
        assertThat(client.call("GET", "/", null, T).status()).isEqualTo(404);
        ApiClient.Answer notJson = client.call("PUT", "/api/v1/vm/snapshot", "{dir:", T);
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.error()).startsWith("the request body is not JSON");
        assertThat(client.call("PUT", "/api/v1/vm/snapshot", "{}", T).error()).isEqualTo("the request body needs \"dir\"");
        assertThat(client.call("PUT", "/api/v1/vm/snapshot", "[1]", T).status()).isEqualTo(400);
        assertThat(client.call("PUT", "/api/v1/vm/shutdown", "{\"force\": \"yes\"}", T).status()).isEqualTo(400);
        assertThat(client.call("PUT", "/api/v1/vm/snapshot", "{\"dir\": \"/x\", \"after\": \"later\"}", T).status())
                .isEqualTo(400);
        assertThat(fake.calls).isEmpty();
    }

    @Test
    void aHundredMebibyteBodyIsRefusedBeforeItIsRead() throws IOException {
        long t0 = System.nanoTime();
        String answer = raw("PUT /api/v1/vm/pause HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n", 0);
        assertThat(answer).startsWith("HTTP/1.1 413").contains("at most 65536");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5000);
        assertThat(fake.calls).isEmpty();
    }

    @Test
    void aChunkedBodyLargerThanTheLimitIsRefused() throws IOException {
        StringBuilder req = new StringBuilder("PUT /api/v1/vm/console HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        String chunk = "x".repeat(16 * 1024);
        for (int i = 0; i < 5; i++) {
            req.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
        }
        req.append("0\r\n\r\n");
        assertThat(raw(req.toString(), 0)).startsWith("HTTP/1.1 413");
        assertThat(typed).isEmpty();
    }

    @Test
    void garbageAndAnEndlessHeaderEndInAnErrorOrAClosedConnectionAndTheServerStillAnswers() throws IOException {
        byte[] garbage = new byte[4096];
        new java.util.Random(1).nextBytes(garbage);
        String g = raw(new String(garbage, StandardCharsets.ISO_8859_1), 0);
        assertThat(g).satisfiesAnyOf(s -> assertThat(s).isEmpty(), s -> assertThat(s).startsWith("HTTP/1.1 400"));
        String endless = raw("GET /api/v1/vm HTTP/1.1\r\nX: " + "a".repeat(64 * 1024), 0);
        assertThat(endless).satisfiesAnyOf(s -> assertThat(s).isEmpty(), s -> assertThat(s).startsWith("HTTP/1.1 431"));
        assertThat(client.call("GET", "/api/v1/vm", null, T).status()).isEqualTo(200);
    }

    /**
     * The server of this test restarted with a short idle limit: the two tests of that limit
     * would otherwise wait out the real one (10 s) each. ApiNestedIT checks the real one.
     */
    private void restartWithIdle(Duration idle) throws Exception {
        server.close();
        Path socket = tmp.resolve("run/short-idle.sock");
        server = ApiServer.start(socket, vm, console, "/etc/fake.toml", System.nanoTime(), idle);
        client = new ApiClient(socket);
    }

    @Test
    void aClientThatNeverFinishesItsRequestIsClosedAfterTheIdleTimeout() throws Exception {
        restartWithIdle(SHORT_IDLE);
        long t0 = System.nanoTime();
        String answer = raw("GET /api/v1/vm HTTP/1.1\r\nHost: x\r\n", 30_000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(answer).doesNotContain("\"name\"");
        assertThat(ms).isBetween(SHORT_IDLE.toMillis() - 500, SHORT_IDLE.toMillis() + 5000);
    }

    @Test
    void aClientThatTricklesItsRequestHeadIsClosedAfterTheDeadlineThoughNeverIdle() throws Exception {
        restartWithIdle(SHORT_IDLE);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(client.socket()));
            ch.write(ByteBuffer.wrap("GET /api/v1/vm HTTP/1.1\r\nX: ".getBytes(StandardCharsets.US_ASCII)));
            long t0 = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < 60 && !closed; i++) {
                try {
                    ch.write(ByteBuffer.wrap(new byte[] {'a'}));
                    Thread.sleep(500);
                } catch (IOException e) {
                    closed = true;
                }
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(closed).as("closed after " + ms + " ms").isTrue();
            assertThat(ms).isBetween(SHORT_IDLE.toMillis() - 500, SHORT_IDLE.toMillis() + 5000);
        }
        assertThat(client.call("GET", "/api/v1/vm", null, T).status()).isEqualTo(200);
    }

    @Test
    void sixteenClientsReadTheVmWhileAnotherPausesResumesAndSnapshots() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(17);
        AtomicBoolean done = new AtomicBoolean();
        List<Future<Integer>> readers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            readers.add(pool.submit(() -> {
                int n = 0;
                while (!done.get()) {
                    ApiClient.Answer a = client.call("GET", "/api/v1/vm", null, T);
                    assertThat(a.status()).isEqualTo(200);
                    assertThat(a.json().get("state").asText()).isIn("RUNNING", "PAUSED");
                    n++;
                }
                return n;
            }));
        }
        for (int i = 0; i < 10; i++) {
            assertThat(client.call("PUT", "/api/v1/vm/pause", null, T).status()).isEqualTo(200);
            assertThat(client.call("PUT", "/api/v1/vm/resume", null, T).status()).isEqualTo(200);
            assertThat(client.call("PUT", "/api/v1/vm/snapshot", "{\"dir\": \"/s" + i + "\"}", T).status()).isEqualTo(200);
        }
        done.set(true);
        for (Future<Integer> f : readers) {
            assertThat(f.get(30, TimeUnit.SECONDS)).isPositive();
        }
        pool.shutdown();
        assertThat(fake.state()).isEqualTo(VmControl.State.RUNNING);
    }

    @Test
    void aConsoleClientSeesHistoryAndLiveOutputTypesIntoTheGuestAndLeavesTheVmRunning() throws Exception {
        console.output().write("before\n".getBytes(StandardCharsets.UTF_8));
        try (InputStream in = client.stream("/api/v1/vm/console")) {
            assertThat(new String(in.readNBytes(7), StandardCharsets.UTF_8)).isEqualTo("before\n");
            while (console.clients() == 0) {
                Thread.sleep(5);
            }
            console.output().write("live\n".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(in.readNBytes(5), StandardCharsets.UTF_8)).isEqualTo("live\n");
        }
        assertThat(client.send("PUT", "/api/v1/vm/console", "application/octet-stream",
                "ls\n".getBytes(StandardCharsets.UTF_8), T).status()).isEqualTo(200);
        assertThat(new String(typed.get(0), StandardCharsets.UTF_8)).isEqualTo("ls\n");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (console.clients() > 0 && System.nanoTime() < deadline) {
            console.output().write('.');
            Thread.sleep(10);
        }
        assertThat(console.clients()).isZero();
        assertThat(fake.state()).isEqualTo(VmControl.State.RUNNING);
    }

    @Test
    void theSocketIsPrivateAndASecondServerOnItIsRefusedWhileAStaleOneIsReplaced() throws Exception {
        Path socket = client.socket();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent()))).isEqualTo("rwx------");
        assertThatThrownBy(() -> ApiSockets.prepare(socket)).isInstanceOf(ApiSocketException.class)
                .hasMessageContaining("already running");
        Path stale = tmp.resolve("run/stale.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(stale));
        }
        assertThat(stale).exists();
        ApiSockets.prepare(stale);
        assertThat(stale).doesNotExist();
        Path file = Files.writeString(tmp.resolve("run/file.sock"), "x");
        assertThatThrownBy(() -> ApiSockets.prepare(file)).hasMessageContaining("is not a socket");
    }

    @Test
    void aClientOfAnotherUidIsRefusedByItsPeerCredentials() throws Exception {
        assumeTrue(ApiSockets.uid() == 0 && Files.isExecutable(Path.of("/usr/bin/setpriv"))
                && Files.isExecutable(Path.of("/usr/bin/curl")), "needs root, setpriv and curl");
        // Loosen the file modes: only the peer check stands between nobody and the VM.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(client.socket().getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(client.socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "/usr/bin/curl", "-s", "-X", "PUT", "--unix-socket", client.socket().toString(),
                "-w", "\\n%{http_code}", "http://localhost/api/v1/vm/pause").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("may not control this VM").endsWith("403");
        assertThat(fake.calls).isEmpty();
    }

    /** Whether {@code sb} holds a response head and all of the body its Content-Length announces. */
    private static boolean wholeAnswer(StringBuilder sb) {
        int head = sb.indexOf("\r\n\r\n");
        Matcher m = CONTENT_LENGTH.matcher(sb);
        return head > 0 && m.find() && m.start() < head && sb.length() - head - 4 >= Integer.parseInt(m.group(1));
    }

    /**
     * Writes {@code request} as is and reads until the server closes (or {@code readMillis}
     * pass); with {@code readMillis} 0, also until a whole answer has come.
     */
    private String raw(String request, long readMillis) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(client.socket()));
            try {
                ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
            } catch (IOException e) {
                // the server may close before it has read everything
            }
            StringBuilder sb = new StringBuilder();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            try {
                while (ch.read(buf) >= 0) {
                    buf.flip();
                    sb.append(StandardCharsets.ISO_8859_1.decode(buf));
                    buf.clear();
                    if (readMillis == 0 && (wholeAnswer(sb) || sb.indexOf("\r\n\r\n") > 0
                            && sb.indexOf("Connection: close") < 0 && sb.length() > 200)) {
                        break;
                    }
                }
            } catch (IOException e) {
                // reset by the server: what was read is the answer
            }
            return sb.toString();
        }
    }
}
