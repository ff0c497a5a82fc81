package io.jvmm.nested;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The API socket of a real VM in the nested host, driven with {@code curl --unix-socket} and
 * the {@code jvmm} clients: a headless VM started with {@code run --detach} whose guest prints a
 * counter every 100 ms and evaluates what is typed on its console. One L1 run of the driver
 * ({@code src/test/resources/nested/api-driver.sh}) does every scenario, snapshots included
 * (pause, snapshot and exit, restore in a new process, and broken snapshots refused: what
 * SnapshotNestedIT did in an L1 run of its own); each test checks what it left behind.
 */
@Tag("nested")
class ApiNestedIT {
    private static final String GUEST_SCRIPT = """
            (i=0; while true; do echo "COUNT $i"; i=$((i+1)); usleep 100000 2>/dev/null || sleep 0.1; done) &
            while read -r line; do eval "$line"; done
            """;
    /**
     * A counter line. What the console step types is echoed by the guest's tty, and n_tty can
     * write that echo between a line's digits and its newline ("COUNT 345echo CONSOLE-..." in
     * a CI run of 2026-12-06), so the number is what follows "COUNT " up to the first non-digit.
     * A non-digit must follow: a snapshot that stops the VM can cut the log's last line between
     * two digits ("COUNT 49" at the end of serial.log, "2" at the start of restored.log, in the
     * project's CI of 2026-12-07), and that cut line is not a count.
     */
    private static final Pattern COUNT = Pattern.compile("(?m)^COUNT (\\d+)(?=\\D)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path dir;
    private static NestedHost.Result l1;
    private static String description;

    @BeforeAll
    static void runInL1() throws IOException, InterruptedException {
        Path repo = NestedHost.repo();
        dir = Files.createDirectories(NestedHost.workDir("api"));
        try (var old = Files.list(dir)) {
            for (Path p : old.toList()) {
                if (!Files.isDirectory(p)) {
                    Files.delete(p);
                }
            }
        }
        Path assets = NestedHost.guestAssets(NestedHost.workDir("guest"));
        Path kernel = dir.resolve("vmlinuz");
        Files.copy(assets.resolve("vmlinuz"), kernel);
        Path initrd = NestedHost.initrdWithScript(assets, dir.resolve("initrd-api.cpio.gz"), GUEST_SCRIPT);
        // One vCPU: this VM lives for minutes, and 2-vCPU guests die in the emulated host
        // under such load, QEMU's as well as jvmm's (README, "A guest triple fault is a
        // failure"). VirtioSnapshotNestedIT pauses, snapshots and restores a 2-vCPU VM.
        Files.writeString(dir.resolve("vm.toml"), """
                [vm]
                name = "apivm"
                memory = "256M"
                vcpus = 1

                [boot]
                kernel = "%s"
                initramfs = "%s"
                cmdline = "console=ttyS0 reboot=k panic=-1 quiet"

                [serial]
                mode = "file"
                path = "serial.log"
                """.formatted(kernel, initrd));
        Files.copy(repo.resolve("vmm-cli/src/test/resources/nested/api-malformed.py"), dir.resolve("malformed.py"));
        Files.copy(repo.resolve("vmm-cli/src/test/resources/nested/api-readers.py"), dir.resolve("readers.py"));
        Path script = dir.resolve("driver.sh");
        Files.copy(repo.resolve("vmm-cli/src/test/resources/nested/api-driver.sh"), script);
        l1 = NestedHost.runInL1(dir, 1200, List.of("bash", script.toString(), dir.toString(), repo.toString()));
    }

    private static String read(String name) throws IOException {
        Path f = dir.resolve(name);
        return Files.exists(f) ? Files.readString(f).replace("\r", "") : "";
    }

    private static Map<String, String> values(String name) throws IOException {
        Map<String, String> m = new HashMap<>();
        Matcher x = Pattern.compile("(\\w+)=(\\S+)").matcher(read(name));
        while (x.find()) {
            m.put(x.group(1), x.group(2));
        }
        return m;
    }

    /** KEY=VALUE lines, the value up to the end of its line. */
    private static Map<String, String> lines(String name) throws IOException {
        Map<String, String> m = new HashMap<>();
        for (String line : read(name).lines().toList()) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.substring(0, eq).contains(" ")) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return m;
    }

    private static List<Integer> counts(String log) throws IOException {
        return countsIn(read(log));
    }

    private static List<Integer> countsIn(String text) {
        List<Integer> out = new ArrayList<>();
        Matcher m = COUNT.matcher(text);
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    /** The outputs every failure message shows, read once: they do not change after the L1 run. */
    private static String describe() throws IOException {
        if (description == null) {
            description = readDescription();
        }
        return description;
    }

    private static String readDescription() throws IOException {
        return "detach: " + read("detach.txt") + read("detach.out") + read("detach.err") + "\npause: " + read("pause.txt")
                + read("pause.json") + "\nconcurrent:\n" + read("concurrent.out") + "\nrun log (tail):\n"
                + tail(read("detached-run.log")) + "\nrestore.out:\n" + read("restore.out")
                + NestedHost.l1KvmTrace(dir.resolve("l1-kvm-trace.txt"))
                + NestedHost.l1KvmTrace(dir.resolve("l1-kvm-trace-restored.txt")) + stallEvidence("stall")
                + stallEvidence("stall-restored") + "\nthe client's snapshot (snap):\n" + StallReport.describe(dir.resolve("snap"))
                + "\nL1:\n" + l1.output();
    }

    /** What the driver gathered when the guest stopped counting (nothing when it never did). */
    private static String stallEvidence(String name) throws IOException {
        if (!Files.exists(dir.resolve(name + ".json"))) {
            return "";
        }
        return "\nthe guest stopped counting; snapshot " + name + ": " + read(name + ".json") + StallReport.describe(dir.resolve(name))
                + NestedHost.l1KvmTrace(dir.resolve("l1-kvm-trace-" + name + ".txt"));
    }

    private static String tail(String s) {
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }

    @Test
    void runDetachReturnsWithTheNameAndSocketOfAPrivateSocketThatLsLists() throws IOException {
        Map<String, String> d = values("detach.txt");
        assertThat(d.get("detach_exit")).as(describe()).isEqualTo("0");
        assertThat(read("detach.out").strip()).as(describe()).isEqualTo("apivm /run/jvmm/apivm.sock");
        assertThat(d.get("dir_mode")).isEqualTo("700");
        assertThat(d.get("socket_mode")).isEqualTo("600");
        assertThat(read("ls.out")).as(describe()).containsPattern("(?m)^apivm +" + d.get("pid") + " +RUNNING +1 +256Mi +/run/jvmm/apivm.sock");
        System.out.println("ApiNestedIT: run --detach returned after " + d.get("detach_ms") + " ms");
    }

    @Test
    void aSecondVmOfTheSameNameIsRefusedInOneLine() throws IOException {
        assertThat(read("dup.exit").strip()).as(read("dup.out")).isEqualTo("2");
        assertThat(read("dup.out").strip()).as(read("dup.out"))
                .isEqualTo("jvmm: a VM is already running with the API socket /run/jvmm/apivm.sock "
                        + "(another name in [vm] name, or --api-socket, lets both run)");
    }

    @Test
    void pauseWithCurlStopsTheCounterAndResumeWithTheClientContinuesIt() throws IOException {
        assertThat(read("pause.json")).as(describe()).contains("{\"state\":\"PAUSED\"}").endsWith("200\n");
        Map<String, String> p = values("pause.txt");
        assertThat(p.get("paused_after")).as(describe()).isEqualTo(p.get("paused_before"));
        assertThat(Integer.parseInt(p.get("resumed_after"))).as(describe()).isGreaterThan(Integer.parseInt(p.get("paused_after")));
        // The counter printed every 100 ms before the pause; it goes on within a few of those.
        assertThat(Integer.parseInt(p.get("resume_to_next_count_ms"))).as(describe()).isLessThan(5000);
        assertThat(read("resume.out").strip()).isEqualTo("apivm: running");
    }

    @Test
    void sixteenReadersGetWellFormedAnswersWhileAnotherPausesResumesAndSnapshots() throws IOException {
        int answers = 0;
        for (int i = 1; i <= 16; i++) {
            List<String> lines = read("get-" + i + ".out").lines().toList();
            assertThat(lines.size() % 2).as("get-" + i).isZero();
            for (int k = 0; k + 1 < lines.size(); k += 2) {
                assertThat(lines.get(k + 1)).as("get-" + i + " line " + k + ": " + lines.get(k)).isEqualTo("200");
                JsonNode j = JSON.readTree(lines.get(k));
                assertThat(j.get("name").asText()).isEqualTo("apivm");
                assertThat(j.get("state").asText()).isIn("RUNNING", "PAUSED");
                answers++;
            }
        }
        assertThat(answers).as(describe()).isGreaterThan(16);
        assertThat(read("concurrent.out").lines().filter(l -> l.matches("\\d{3}")).toList()).as(describe())
                .hasSize(7).allMatch(s -> s.equals("200"));
        assertThat(read("dryrun.txt")).as(describe()).contains("snapc=0");
        System.out.println("ApiNestedIT: " + answers + " GET /vm answers from 16 clients during 3 pause/resume rounds "
                + "and a snapshot");
    }

    @Test
    void theGuestsCounterNeverGoesBackwardsNorSkips() throws IOException {
        List<Integer> c = counts("serial.log");
        assertThat(c).as(describe()).hasSizeGreaterThan(50);
        for (int i = 0; i < c.size(); i++) {
            assertThat(c.get(i)).as("counter sequence at " + i + "\n" + describe()).isEqualTo(i);
        }
    }

    @Test
    void malformedRequestsGetAnErrorOrAClosedConnectionWithinBoundedMemoryAndTimeAndTheGuestGoesOn() throws IOException {
        Map<String, String> m = lines("malformed.txt");
        m.putAll(values("malformed.txt").entrySet().stream().filter(e -> e.getKey().startsWith("count_"))
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        String all = read("malformed.txt") + "\n" + describe();
        assertThat(m.get("garbage")).as(all).matches("HTTP/1.1 400.*|closed.*");
        assertThat(m.get("big_body")).as(all).matches("HTTP/1.1 413.*|closed.*");
        assertThat(Integer.parseInt(m.get("big_body_sent_mib"))).as(all).isLessThan(100);
        assertThat(m.get("endless_header")).as(all).matches("HTTP/1.1 431.*|HTTP/1.1 400.*|closed.*");
        assertThat(Double.parseDouble(m.get("endless_header_seconds"))).as(all).isLessThan(30);
        assertThat(m.get("slow_client_closed")).as(all).isEqualTo("True");
        assertThat(Double.parseDouble(m.get("slow_client_seconds"))).as(all).isBetween(5.0, 30.0);
        assertThat(m.get("wrong_method")).as(all).startsWith("HTTP/1.1 405");
        assertThat(m.get("unknown_path")).as(all).startsWith("HTTP/1.1 404");
        assertThat(m.get("after_all")).as(all).startsWith("HTTP/1.1 200");
        long growth = Long.parseLong(m.get("rss_after_kib")) - Long.parseLong(m.get("rss_before_kib"));
        assertThat(growth).as("VmRSS growth in KiB\n" + all).isLessThan(64 * 1024);
        assertThat(Integer.parseInt(m.get("count_after"))).as(all).isGreaterThan(Integer.parseInt(m.get("count_before")));
        assertThat(read("methods.out")).as(all).contains("405", "404", "{\"error\":");
        System.out.println("ApiNestedIT: malformed requests: " + read("malformed.txt").replace('\n', ' '));
    }

    @Test
    void aClientOfAnotherUidIsRefusedByTheModesAndThenByItsPeerCredentials() throws IOException {
        assertThat(read("uid-modes.out")).as(read("uid-modes.out")).contains("curl_exit=7").doesNotContain("\"name\"");
        String peer = read("uid-peercred.out");
        assertThat(peer).as(peer).contains("user nobody may not control this VM (it belongs to root)").endsWith("403\n");
        assertThat(read("after-uid.json")).as(describe()).contains("\"state\":\"RUNNING\"");
    }

    @Test
    void theConsoleAttachesTypesDetachesAndAKilledClientLeavesTheVmRunning() throws IOException {
        assertThat(read("console.exit").strip()).as(read("console.err")).isEqualTo("0");
        assertThat(read("console.out")).as(read("console.out") + read("console.err")).contains("CONSOLE-42", "COUNT");
        assertThat(read("console.err")).contains("jvmm: detached; apivm keeps running");
        assertThat(read("console-killed.out")).as(describe()).contains("jvmm: attached to apivm");
        Map<String, String> c = values("console.txt");
        assertThat(Integer.parseInt(c.get("after_kill_after"))).as(describe()).isGreaterThan(Integer.parseInt(c.get("after_kill_before")));
        assertThat(read("after-console.json")).as(describe()).contains("\"state\":\"RUNNING\"").endsWith("200\n");
    }

    @Test
    void theShellAttachesListsPausesAndResumesAndLeavesTheVmRunningWhenItQuits() throws IOException {
        String out = read("attach.out");
        assertThat(read("attach.exit").strip()).as(out).isEqualTo("0");
        assertThat(out).as(out).contains("jvmm: attached to apivm (running, 1 vCPU(s), 256 MiB)", "jvmm: paused",
                "state:   PAUSED", "jvmm: resumed", "COUNT").containsPattern("(?m)^apivm +\\d+ +RUNNING");
        assertThat(read("after-attach.json")).as(describe()).contains("\"state\":\"RUNNING\"").endsWith("200\n");
    }

    @Test
    void aSnapshotByTheClientRestoresInANewProcessThatContinuesTheCounterAndAnswersOnItsSocket() throws IOException {
        assertThat(read("snapshot.exit").strip()).as(read("snapshot.out")).isEqualTo("0");
        assertThat(read("snapshot.out")).contains("apivm: snapshot written to " + dir.resolve("snap"));
        // The restored guest's serial output continues the stopped one's byte for byte: a line the
        // snapshot cut is completed by the first bytes after the restore, and no byte is lost or
        // written twice (an OUT to the UART re-run after the restore would double a digit).
        String serial = read("serial.log");
        List<Integer> before = countsIn(serial);
        List<Integer> joined = countsIn(serial + read("restored.log"));
        assertThat(joined.size()).as("counter lines after restore\n" + describe()).isGreaterThan(before.size());
        int last = before.get(before.size() - 1);
        for (int k = before.size(); k < joined.size(); k++) {
            assertThat(joined.get(k)).as("counter line " + (k - before.size()) + " after restore; last before " + last
                    + "\n" + describe()).isEqualTo(last + 1 + k - before.size());
        }
        assertThat(read("ls-restored.out")).as(describe()).containsPattern("(?m)^apivm +\\d+ +RUNNING");
        assertThat(read("info-restored.out")).as(describe()).contains("state:   RUNNING", "vcpus:   1", "memory:  256 MiB");
        assertThat(read("shutdown.out").strip()).isEqualTo("apivm: stopped");
        assertThat(read("restore.exit").strip()).as(describe()).isEqualTo("0");
        assertThat(read("left.txt").strip()).as("sockets left in /run/jvmm").doesNotContain(".sock");
        System.out.println("ApiNestedIT: restore to the first counter line, and the snapshot's size on disk (KiB): "
                + read("restore.txt").replace('\n', ' '));
    }

    @Test
    void snapshotAfterExitStopsTheVmAndItsDirectoryAndFilesArePrivate() throws IOException {
        assertThat(read("detached-run.log")).as(describe()).contains("jvmm: snapshot taken; VM stopped");
        assertThat(dir.resolve("snap/state.bin")).exists();
        // Private from their creation: the directory 0700, each file 0600.
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("snap"))))
                .isEqualTo("rwx------");
        try (var files = Files.list(dir.resolve("snap"))) {
            for (Path f : files.toList()) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as(f.toString())
                        .isEqualTo("rw-------");
            }
        }
    }

    @Test
    void dryRunOfTheSnapshotListsWhatRestoreWouldOpenAndExitsZero() throws IOException {
        String out = read("snap-dryrun.out");
        assertThat(read("snap-dryrun.exit").strip()).as(out + describe()).isEqualTo("0");
        assertThat(out).as(out).contains("memory:     256 MiB", "; 1 vCPU",
                "boot.kernel (boot): kernel " + dir.resolve("vmlinuz") + " (not read: guest memory holds it) [same file]",
                "serial.path (serial): serial output file " + dir.resolve("serial.log") + " (truncated) [same path]",
                "restore would proceed; nothing was opened (--dry-run)");
    }

    @Test
    void aCorruptedSnapshotIsOneClearErrorAndNothingRuns() throws IOException {
        assertBadSnapshot("corrupt", "checksum mismatch");
    }

    @Test
    void aTruncatedSnapshotIsOneClearErrorAndNothingRuns() throws IOException {
        assertBadSnapshot("truncated", "truncated");
    }

    @Test
    void aSnapshotWhoseKernelIsGoneIsOneClearErrorAndNothingRuns() throws IOException {
        assertBadSnapshot("nokernel", "kernel");
    }

    private static void assertBadSnapshot(String name, String message) throws IOException {
        String out = read(name + ".out");
        assertThat(read(name + ".exit").strip()).as(out).isEqualTo("4");
        assertThat(out.strip().lines().count()).as(out).isEqualTo(1);
        assertThat(out).as(out).contains("cannot restore").contains(message);
        assertThat(Files.exists(dir.resolve(name + ".log"))).as("serial log of " + name).isFalse();
    }

    @Test
    void theEventStreamShowsPauseResumeSnapshotProgressAndTheEndInOrder() throws IOException {
        List<JsonNode> events = new ArrayList<>();
        for (String line : read("events.ndjson").lines().toList()) {
            if (!line.isBlank()) {
                events.add(JSON.readTree(line));
            }
        }
        List<String> types = new ArrayList<>();
        long seq = 0;
        for (JsonNode e : events) {
            assertThat(e.get("seq").asLong()).as("sequence numbers rise").isGreaterThan(seq);
            seq = e.get("seq").asLong();
            types.add(e.get("type").asText() + (e.has("state") ? ":" + e.get("state").asText() : "")
                    + (e.has("reason") ? ":" + e.get("reason").asText() : ""));
        }
        assertThat(types).as(read("events.ndjson")).containsSubsequence("state:PAUSED", "state:RUNNING",
                "state:PAUSED", "snapshot-started", "snapshot-progress", "snapshot-done", "state:RUNNING",
                "snapshot-started", "snapshot-done", "stopped:SNAPSHOT_THEN_EXIT");
        assertThat(types.get(types.size() - 1)).isEqualTo("stopped:SNAPSHOT_THEN_EXIT");
    }

    /**
     * The server starts on a thread of its own once the VM is built (ApiLaunch), so the guest's
     * first KVM_RUN does not wait for Jetty: its "API on" line comes from that thread. How long
     * the start took is printed, not judged: the emulated host's spread hides any cost, and the
     * benchmarks compare boots with and without the API.
     */
    @Test
    void theApiServerStartsOnAThreadOfItsOwnBesideTheGuest() throws IOException {
        String log = read("detached-run.log");
        Matcher first = Pattern.compile("first KVM_RUN (\\d+)").matcher(log);
        assertThat(first.find()).as(tail(log)).isTrue();
        Matcher started = Pattern.compile("\\[jvmm-api-start\\] INFO ApiServer - API on /run/jvmm/apivm\\.sock "
                + "\\(started in (\\d+) ms\\)").matcher(log);
        assertThat(started.find()).as(tail(log)).isTrue();
        System.out.println("ApiNestedIT: first KVM_RUN " + first.group(1) + " ms after JVM start; the API server took "
                + started.group(1) + " ms to start, beside the guest");
    }
}
