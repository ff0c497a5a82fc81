package io.jvmm.nested;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 5: a guest that prints a counter every 100 ms is paused, resumed, snapshotted,
 * killed and restored in a new jvmm process; broken snapshots are refused. One L1 run does
 * it all (driver script below); the tests check what it left behind.
 */
@Tag("nested")
class SnapshotNestedIT {
    private static final String GUEST_SCRIPT = """
            i=0
            while true; do echo "COUNT $i"; i=$((i+1)); usleep 100000 2>/dev/null || sleep 0.1; done
            """;
    private static final Pattern COUNT = Pattern.compile("(?m)^COUNT (\\d+)\\r?$");
    private static Path dir;
    private static NestedHost.Result l1;

    @BeforeAll
    static void runInL1() throws IOException, InterruptedException {
        Path repo = NestedHost.repo();
        dir = Files.createDirectories(NestedHost.workDir("snapshot"));
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
        Path initrd = NestedHost.initrdWithScript(assets, dir.resolve("initrd-count.cpio.gz"), GUEST_SCRIPT);
        Files.writeString(dir.resolve("vm.toml"), """
                [vm]
                name = "counter"
                memory = "256M"
                vcpus = 2

                [boot]
                kernel = "%s"
                initramfs = "%s"
                cmdline = "console=ttyS0 reboot=k panic=-1 quiet"

                [serial]
                mode = "file"
                path = "serial.log"
                """.formatted(kernel, initrd));
        String d = dir.toString();
        String driver = """
                #!/bin/sh
                D='%s'
                cd '%s'
                rm -rf "$D"/snap* "$D"/*.log "$D"/*.out
                # API sockets live in L1's tmpfs: a socket on the 9p scratch share carries nothing.
                C=$(mktemp -d /tmp/jvmm-api.XXXXXX)
                PID=
                # api SOCKET OP [JSON]: PUT /api/v1/vm/OP with curl; prints the JSON answer, or says it failed.
                api() { n=0; while [ ! -S "$1" ] && [ $n -lt 300 ]; do n=$((n+1)); sleep 0.2; done
                  curl -sS --max-time 300 --fail-with-body --unix-socket "$1" -X PUT -d "${3:-}" \\
                    "http://localhost/api/v1/vm/$2" || echo "DRIVER api $2 failed"; echo; }
                # waitfor FILE PATTERN TRIES: gives up early when the jvmm being watched has exited.
                waitfor() { n=0; while ! grep -q "$2" "$1" 2>/dev/null; do n=$((n+1)); [ $n -gt $3 ] && return 1
                  [ -n "$PID" ] && ! kill -0 "$PID" 2>/dev/null && return 1; sleep 0.2; done; }
                count() { grep -c '^COUNT' "$1" 2>/dev/null || echo 0; }
                bin/jvmm run --log-level info --api-socket "$C/api.sock" "$D/vm.toml" > "$D/run.out" 2>&1 &
                PID=$!
                waitfor "$D/serial.log" '^COUNT 30' 1500 || echo "DRIVER no counter"
                api "$C/api.sock" pause > "$D/pause.json"
                a=$(count "$D/serial.log"); sleep 3; b=$(count "$D/serial.log")
                echo "paused_before=$a paused_after=$b" > "$D/pause.txt"
                api "$C/api.sock" resume >> "$D/pause.json"
                # The next number, timed: a guest clock set back on resume would hold every timer.
                r0=$(date +%%s%%N); n=0
                while [ "$(count "$D/serial.log")" -le "$b" ] && [ $n -lt 100 ]; do n=$((n+1)); sleep 0.2; done
                echo "resume_to_next_count_ms=$(( ($(date +%%s%%N) - r0) / 1000000 ))" >> "$D/pause.txt"
                sleep 1
                echo "resumed_after=$(count "$D/serial.log")" >> "$D/pause.txt"
                api "$C/api.sock" snapshot "{\\"dir\\": \\"$D/snap\\", \\"after\\": \\"exit\\"}" > "$D/snapshot.json"
                wait $PID; echo $? > "$D/run.exit"; PID=
                bin/jvmm restore --dry-run "$D/snap" > "$D/dryrun.out" 2>&1; echo $? > "$D/dryrun.exit"
                cp -r "$D/snap" "$D/snap-corrupt"
                printf 'X' | dd of="$D/snap-corrupt/state.bin" bs=1 seek=300 conv=notrunc 2>/dev/null
                cp -r "$D/snap" "$D/snap-truncated"
                sz=$(stat -c %%s "$D/snap/state.bin"); truncate -s $((sz - 100)) "$D/snap-truncated/state.bin"
                for k in corrupt truncated; do
                  timeout 120 bin/jvmm restore --serial-file "$D/$k.log" "$D/snap-$k" > "$D/$k.out" 2>&1; echo $? > "$D/$k.exit"
                done
                mv "$D/vmlinuz" "$D/vmlinuz.away"
                timeout 120 bin/jvmm restore --serial-file "$D/nokernel.log" "$D/snap" > "$D/nokernel.out" 2>&1; echo $? > "$D/nokernel.exit"
                mv "$D/vmlinuz.away" "$D/vmlinuz"
                t0=$(date +%%s%%N)
                bin/jvmm restore --serial-file "$D/restored.log" --api-socket "$C/api2.sock" "$D/snap" > "$D/restore.out" 2>&1 &
                PID=$!
                waitfor "$D/restored.log" '^COUNT' 1500; t1=$(date +%%s%%N)
                echo "restore_to_first_line_ms=$(( (t1 - t0) / 1000000 ))" > "$D/restore.txt"
                sleep 3
                api "$C/api2.sock" shutdown '{"force": true}' > "$D/stop.json"; wait $PID; echo $? > "$D/restore.exit"
                du -k "$D/snap/memory.bin" "$D/snap/state.bin" >> "$D/restore.txt"
                """.formatted(d, repo);
        Path script = dir.resolve("driver.sh");
        Files.writeString(script, driver);
        l1 = NestedHost.runInL1(dir, 900, List.of("sh", script.toString()));
    }

    private static String read(String name) throws IOException {
        Path f = dir.resolve(name);
        return Files.exists(f) ? Files.readString(f).replace("\r", "") : "";
    }

    private static List<Integer> counts(String log) throws IOException {
        List<Integer> out = new ArrayList<>();
        Matcher m = COUNT.matcher(read(log));
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    private static String describe() throws IOException {
        return "run.out:\n" + read("run.out") + "\npause.txt: " + read("pause.txt") + "\npause.json: " + read("pause.json") + "\nrestore.out:\n"
                + read("restore.out") + "\nL1:\n" + l1.output();
    }

    private static Map<String, Integer> pauseNumbers() throws IOException {
        Map<String, Integer> m = new java.util.HashMap<>();
        Matcher x = Pattern.compile("(\\w+)=(\\d+)").matcher(read("pause.txt"));
        while (x.find()) {
            m.put(x.group(1), Integer.parseInt(x.group(2)));
        }
        return m;
    }

    @Test
    void pauseStopsTheCounterForThreeSecondsAndResumeContinuesWithTheNextNumber() throws IOException {
        Map<String, Integer> p = pauseNumbers();
        assertThat(p).as(describe()).containsKeys("paused_before", "paused_after", "resumed_after",
                "resume_to_next_count_ms");
        assertThat(p.get("paused_after")).as(describe()).isEqualTo(p.get("paused_before"));
        assertThat(p.get("resumed_after")).as(describe()).isGreaterThan(p.get("paused_after"));
        // Every 100 ms before the pause, so within a few of those after it (not seconds later).
        assertThat(p.get("resume_to_next_count_ms")).as(describe()).isLessThan(5000);
        List<Integer> c = counts("serial.log");
        for (int i = 0; i < c.size(); i++) {
            assertThat(c.get(i)).as("counter sequence " + c + "\n" + describe()).isEqualTo(i);
        }
    }

    @Test
    void snapshotExitEndsJvmmWithZero() throws IOException {
        assertThat(read("run.exit").strip()).as(describe()).isEqualTo("0");
        assertThat(read("run.out")).as(describe()).contains("jvmm: snapshot taken; VM stopped");
        assertThat(read("snapshot.json")).as(describe()).contains("\"dir\":\"" + dir.resolve("snap") + "\"");
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
    void dryRunOfTheRealSnapshotListsWhatRestoreWouldOpenAndExitsZero() throws IOException {
        String out = read("dryrun.out");
        assertThat(read("dryrun.exit").strip()).as(out + describe()).isEqualTo("0");
        assertThat(out).as(out).contains("memory:     256 MiB", "; 2 vCPUs",
                "boot.kernel (boot): kernel " + dir.resolve("vmlinuz") + " (not read: guest memory holds it) [same file]",
                "serial.path (serial): serial output file " + dir.resolve("serial.log") + " (truncated) [same path]",
                "restore would proceed; nothing was opened (--dry-run)");
    }

    @Test
    void restoreInANewProcessContinuesTheCounter() throws IOException {
        List<Integer> before = counts("serial.log");
        List<Integer> after = counts("restored.log");
        assertThat(before).as(describe()).isNotEmpty();
        assertThat(after).as(describe()).isNotEmpty();
        int last = before.get(before.size() - 1);
        assertThat(after.get(0)).as("first line after restore; last before: " + last + "\n" + describe())
                .isBetween(last, last + 2);
        assertThat(read("restore.exit").strip()).as(describe()).isEqualTo("0");
    }

    @Test
    void corruptedSnapshotIsOneClearErrorAndNothingRuns() throws IOException {
        assertBadSnapshot("corrupt", "checksum mismatch");
    }

    @Test
    void truncatedSnapshotIsOneClearErrorAndNothingRuns() throws IOException {
        assertBadSnapshot("truncated", "truncated");
    }

    @Test
    void missingKernelIsOneClearErrorAndNothingRuns() throws IOException {
        assertBadSnapshot("nokernel", "kernel");
    }

    private static void assertBadSnapshot(String name, String message) throws IOException {
        String out = read(name + ".out");
        assertThat(read(name + ".exit").strip()).as(out).isEqualTo("4");
        assertThat(out.strip().lines().count()).as(out).isEqualTo(1);
        assertThat(out).as(out).contains("cannot restore").contains(message);
        assertThat(Files.exists(dir.resolve(name + ".log"))).as("serial log of " + name).isFalse();
    }
}
