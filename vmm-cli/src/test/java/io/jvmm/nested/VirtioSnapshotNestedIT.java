package io.jvmm.nested;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 5 for virtio devices: a Linux guest with a virtio-blk disk, virtio-rng and virtio-net (a
 * tap in L1) runs a loop that, every iteration, reads /dev/hwrng, writes a numbered pattern to its
 * own sector of the disk (fsync), drops its caches, reads the sector back and pings L1 once. jvmm is paused mid-loop, writes a
 * snapshot and exits; {@code jvmm restore} in a new process continues the guest, which goes on
 * with the loop without setting its devices up again. The test then checks the loop's lines after
 * restore and reads the patterns written after restore from the image file.
 */
@Tag("nested")
class VirtioSnapshotNestedIT {
    private static final String CMDLINE = "console=ttyS0 reboot=k panic=-1 quiet jvmm.mods=1 jvmm.end=poweroff";
    private static final long DISK_BYTES = 16L << 20;
    private static final int FIRST_SECTOR = 1000;
    private static final String GUEST_SCRIPT = """
            ip link set lo up
            ip addr add 192.168.100.2/24 dev eth0
            ip link set eth0 up
            i=0
            while true; do
              n=$(head -c 512 /dev/hwrng | wc -c)
              printf 'PAT-%06d' $i | dd of=/dev/vda bs=512 seek=$((1000 + i)) conv=fsync 2>/dev/null; rc=$?
              echo 3 > /proc/sys/vm/drop_caches
              back=$(dd if=/dev/vda bs=512 skip=$((1000 + i)) count=1 2>/dev/null | head -c 10)
              first=$(dd if=/dev/vda bs=512 skip=1000 count=1 2>/dev/null | head -c 10)
              net=$(ping -c 1 -W 3 192.168.100.1 2>/dev/null | grep -c 'bytes from')
              echo "ITER $i rng=$n wrc=$rc back=$back net=$net first=$first"
              i=$((i + 1))
              usleep 200000 2>/dev/null || sleep 0.2
            done
            """;
    private static final Pattern ITER = Pattern.compile("(?m)^ITER (\\d+) rng=(\\d+) wrc=(\\d+) back=(\\S*) net=(\\d+) first=(\\S*)\\r?\n");
    private static Path dir;
    private static NestedHost.Result l1;

    /** One loop iteration as the guest reported it. */
    record Iter(int i, int rng, int writeRc, String back, int pingReplies, String first) {
    }

    @BeforeAll
    static void runInL1() throws IOException, InterruptedException {
        Path repo = NestedHost.repo();
        Path work = Files.createDirectories(NestedHost.workDir("virtio-snapshot"));
        Path assets = NestedHost.guestAssets(NestedHost.workDir("guest"));
        Path initrd = NestedHost.initrdWithScript(assets, work.resolve("initrd-loop.cpio.gz"), GUEST_SCRIPT);
        GuestScenario s = GuestScenario.create(work, "vm", assets.resolve("vmlinuz"), initrd, "256M", 2, CMDLINE);
        dir = s.dir();
        try (var old = Files.list(dir)) {
            for (Path p : old.toList()) {
                if (!Files.isDirectory(p) && !p.getFileName().toString().equals("vm.toml")) {
                    Files.delete(p);
                }
            }
        }
        Files.writeString(dir.resolve("vm.toml"), s.config() + """

                [[device]]
                type = "virtio-blk"
                id = "vda"
                path = "disk.img"
                serial = "snap-disk"

                [[device]]
                type = "virtio-rng"
                id = "rng0"

                [[device]]
                type = "virtio-net"
                id = "net0"
                tap = "tap0"
                """);
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("disk.img").toFile(), "rw")) {
            f.setLength(DISK_BYTES);
        }
        String d = dir.toString();
        String driver = """
                #!/bin/sh
                D='%s'
                cd '%s'
                rm -rf "$D"/snap "$D"/*.log "$D"/*.out "$D"/*.exit
                C=$(mktemp -d /tmp/jvmm-api.XXXXXX)
                { modprobe -d "$JVMM_L1_MODROOT" tun && ip tuntap add dev tap0 mode tap \\
                  && ip addr add 192.168.100.1/24 dev tap0 && ip link set tap0 up; } || echo "DRIVER tap0 setup failed"
                PID=
                # api SOCKET OP [JSON]: PUT /api/v1/vm/OP with curl; prints the JSON answer, or says it failed.
                api() { n=0; while [ ! -S "$1" ] && [ $n -lt 300 ]; do n=$((n+1)); sleep 0.2; done
                  curl -sS --max-time 300 --fail-with-body --unix-socket "$1" -X PUT -d "${3:-}" \\
                    "http://localhost/api/v1/vm/$2" || echo "DRIVER api $2 failed"; echo; }
                waitfor() { n=0; while ! grep -q "$2" "$1" 2>/dev/null; do n=$((n+1)); [ $n -gt $3 ] && return 1
                  [ -n "$PID" ] && ! kill -0 "$PID" 2>/dev/null && return 1; sleep 0.2; done; }
                iters() { cat "$1" 2>/dev/null | grep -c '^ITER'; }
                bin/jvmm run --api-socket "$C/api.sock" "$D/vm.toml" > "$D/run.out" 2>&1 &
                PID=$!
                waitfor "$D/serial.log" '^ITER 5 ' 1500 || echo "DRIVER the loop did not reach 5"
                api "$C/api.sock" pause > "$D/pause.json"
                api "$C/api.sock" snapshot "{\\"dir\\": \\"$D/snap\\", \\"after\\": \\"exit\\"}" > "$D/snapshot.json"
                wait $PID; echo $? > "$D/run.exit"; PID=
                bin/jvmm restore --serial-file "$D/restored.log" --api-socket "$C/api2.sock" "$D/snap" > "$D/restore.out" 2>&1 &
                PID=$!
                n=0; while [ "$(iters "$D/restored.log")" -lt 8 ] && [ $n -lt 1500 ] && kill -0 $PID 2>/dev/null; do
                  n=$((n+1)); sleep 0.2; done
                echo "DRIVER iterations after restore: $(iters "$D/restored.log")"
                api "$C/api2.sock" shutdown '{"force": true}' > "$D/stop.json"; wait $PID; echo $? > "$D/restore.exit"; PID=
                mv "$D/disk.img" "$D/disk.img.away"
                timeout -k 10 120 bin/jvmm restore --serial-file "$D/nodisk.log" "$D/snap" > "$D/nodisk.out" 2>&1
                echo $? > "$D/nodisk.exit"
                mv "$D/disk.img.away" "$D/disk.img"
                """.formatted(d, repo);
        Path script = work.resolve("driver.sh");
        Files.writeString(script, driver);
        l1 = NestedHost.runInL1(work, 900, List.of("sh", script.toString()));
    }

    private static String read(String name) throws IOException {
        Path f = dir.resolve(name);
        return Files.exists(f) ? Files.readString(f).replace("\r", "") : "";
    }

    private static List<Iter> iters(String log) throws IOException {
        List<Iter> out = new ArrayList<>();
        Matcher m = ITER.matcher(read(log));
        while (m.find()) {
            out.add(new Iter(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    m.group(4), Integer.parseInt(m.group(5)), m.group(6)));
        }
        return out;
    }

    private static String describe() throws IOException {
        return "run.out:\n" + read("run.out") + "\nrestore.out:\n" + read("restore.out") + "\nserial.log (tail):\n"
                + tail(read("serial.log")) + "\nrestored.log (tail):\n" + tail(read("restored.log")) + "\nL1:\n"
                + tail(l1.output());
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
    }

    private static String sector(int iteration) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("disk.img").toFile(), "r")) {
            byte[] b = new byte[10];
            f.seek((FIRST_SECTOR + iteration) * 512L);
            f.readFully(b);
            return new String(b, StandardCharsets.US_ASCII);
        }
    }

    @Test
    void theSnapshotOfAVmWithVirtioDevicesIsWrittenAndJvmmExitsZero() throws IOException {
        assertThat(read("run.exit").strip()).as(describe()).isEqualTo("0");
        assertThat(read("run.out")).as(describe()).contains("jvmm: snapshot taken; VM stopped");
        assertThat(dir.resolve("snap/state.bin")).exists();
    }

    @Test
    void afterRestoreTheGuestsLoopGoesOnWhereItStopped() throws IOException {
        List<Iter> before = iters("serial.log");
        List<Iter> after = iters("restored.log");
        assertThat(before).as(describe()).isNotEmpty();
        assertThat(after).as("iterations after restore\n" + describe()).hasSizeGreaterThanOrEqualTo(8);
        int last = before.get(before.size() - 1).i();
        assertThat(after.get(0).i()).as("first iteration after restore; last before: " + last + "\n" + describe())
                .isBetween(last + 1, last + 2);
        for (int k = 1; k < after.size(); k++) {
            assertThat(after.get(k).i()).as(describe()).isEqualTo(after.get(k - 1).i() + 1);
        }
        assertThat(read("restore.exit").strip()).as(describe()).isEqualTo("0");
        assertThat(read("restored.log") + read("restore.out")).as(describe()).doesNotContain("DEVICE_NEEDS_RESET")
                .doesNotContain("needs reset");
    }

    @Test
    void aSnapshotWhoseDiskFileIsMissingIsRefusedAndNothingRuns() throws IOException {
        String out = read("nodisk.out");
        assertThat(read("nodisk.exit").strip()).as(out).isEqualTo("4");
        assertThat(out).as(out).contains("disk.img is gone").contains("nothing was started");
        // One error line; the others are the memory check's progress.
        assertThat(out.strip().lines().filter(l -> l.startsWith("jvmm: ") && !l.startsWith("jvmm: memory check"))
                .count()).as(out).isEqualTo(1);
        assertThat(read("nodisk.log")).as(out).doesNotContain("ITER");
    }

    @Test
    void theNetworkStillWorksAfterRestore() throws IOException {
        assertThat(iters("serial.log")).as(describe()).anySatisfy(it -> assertThat(it.pingReplies()).isEqualTo(1));
        List<Iter> after = iters("restored.log");
        assertThat(after).as(describe()).isNotEmpty();
        assertThat(after).as(describe()).allSatisfy(it -> assertThat(it.pingReplies()).isEqualTo(1));
    }

    @Test
    void hwrngStillReadsAfterRestore() throws IOException {
        List<Iter> after = iters("restored.log");
        assertThat(after).as(describe()).isNotEmpty();
        assertThat(after).as(describe()).allSatisfy(it -> assertThat(it.rng()).isEqualTo(512));
    }

    @Test
    void theDiskStillReadsAndWritesAfterRestoreAndTheWritesAreInTheImage() throws IOException {
        List<Iter> after = iters("restored.log");
        assertThat(after).as(describe()).isNotEmpty();
        for (Iter it : after) {
            String pattern = String.format("PAT-%06d", it.i());
            assertThat(it.writeRc()).as("write rc of iteration " + it.i() + "\n" + describe()).isZero();
            assertThat(it.back()).as("read back in the guest, iteration " + it.i() + "\n" + describe())
                    .isEqualTo(pattern);
            assertThat(sector(it.i())).as("the image after exit, iteration " + it.i()).isEqualTo(pattern);
        }
        for (Iter it : iters("serial.log")) {
            assertThat(sector(it.i())).as("written before the snapshot, iteration " + it.i())
                    .isEqualTo(String.format("PAT-%06d", it.i()));
        }
        // The first iteration's sector, written long before the snapshot, read from the disk
        // (caches dropped) in every iteration after restore.
        assertThat(after).as(describe()).allSatisfy(it -> assertThat(it.first()).isEqualTo("PAT-000000"));
    }
}
