package io.jvmm.nested;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two example plugins built like an outsider's (examples/pvpanic-plugin and
 * examples/balloon-plugin, no parent POM, built by scripts/build-examples) loaded from their own
 * jars with two --plugin-dir options, in one VM: Linux binds pvpanic-pci to the 1b36:0011
 * function and virtio_balloon to the balloon; the balloon target set through the control pipe
 * ({@code device balloon0 target 64}) makes the guest's MemTotal drop by 64 MiB and the device
 * count the pages; a kernel panic the guest triggers (sysrq c) reaches the pvpanic device,
 * which logs it. {@code panic=0} keeps the panicked guest halted so the test can still ask the
 * balloon for its status before it stops the VM.
 */
@Tag("nested")
class ExamplePluginsNestedIT {
    private static final String CMDLINE = "console=ttyS0 reboot=k panic=0 quiet jvmm.mods=1 jvmm.end=poweroff";
    private static final String GUEST_SCRIPT = """
            for d in /sys/bus/pci/devices/*; do
              id="$(cat $d/vendor):$(cat $d/device)"
              drv=$(basename "$(readlink $d/driver)" 2>/dev/null)
              case "$id" in
                0x1b36:0x0011) echo "RESULT pvpanic_driver=$drv" ;;
                0x1af4:0x1045) echo "RESULT balloon_pci_driver=$drv"
                               for v in $d/virtio*; do echo "RESULT balloon_driver=$(basename "$(readlink $v/driver)")"; done ;;
              esac
            done
            memtotal() { awk '/^MemTotal:/ {print $2}' /proc/meminfo; }
            before=$(memtotal)
            echo "RESULT memtotal_before_kib=$before"
            echo BALLOON-READY
            # The host sets the target when it sees BALLOON-READY; wait up to 120 s for 64 MiB.
            i=0; now=$before
            while [ $((before - now)) -lt 65536 ] && [ $i -lt 600 ]; do sleep 0.2; i=$((i + 1)); now=$(memtotal); done
            echo "RESULT memtotal_after_kib=$now"
            echo "RESULT balloon_took_kib=$((before - now))"
            echo BALLOON-DONE
            # Let the console drain first: the panic's printk would cut into the lines above
            # (seen under load: "BALLOON[   2-DONE", and the driver never saw the marker).
            sleep 3
            echo c > /proc/sysrq-trigger
            """;

    private static GuestScenario vm;
    private static NestedHost.Result l1;

    @BeforeAll
    static void runInL1() throws IOException, InterruptedException {
        Path repo = NestedHost.repo();
        List<Path> pluginDirs = List.of(repo.resolve("examples/pvpanic-plugin/target"),
                repo.resolve("examples/balloon-plugin/target"));
        for (Path dir : pluginDirs) {
            try (var files = Files.exists(dir) ? Files.list(dir) : java.util.stream.Stream.<Path>empty()) {
                assertThat(files.anyMatch(f -> f.getFileName().toString().endsWith(".jar")))
                        .as("no plugin jar in %s: build the examples first with scripts/build-examples "
                                + "(scripts/test does)", dir).isTrue();
            }
        }
        Path work = Files.createDirectories(NestedHost.workDir("example-plugins"));
        Path assets = NestedHost.guestAssets(NestedHost.workDir("guest"));
        Path initrd = NestedHost.initrdWithScript(assets, work.resolve("initrd-plugins.cpio.gz"), GUEST_SCRIPT);
        vm = GuestScenario.create(work, "plugins", assets.resolve("vmlinuz"), initrd, "512M", 1, CMDLINE);
        for (String f : List.of("exit", "jvmm.out", "serial.log", "status.txt", "api.out", "events.ndjson")) {
            Files.deleteIfExists(vm.dir().resolve(f));
        }
        Files.writeString(vm.dir().resolve("vm.toml"), vm.config() + """

                [[device]]
                type = "pvpanic"
                id = "pvpanic0"

                [[device]]
                type = "virtio-balloon"
                id = "balloon0"
                """);
        String driver = """
                #!/bin/sh
                D='%1$s'
                cd '%2$s'
                # The API socket lives in L1's tmpfs: a socket on the 9p scratch share carries nothing.
                C=$(mktemp -d /tmp/jvmm-api.XXXXXX)
                # api METHOD PATH [JSON]: one request to the VM's API with curl; the answer goes to api.out.
                api() { n=0; while [ ! -S "$C/api.sock" ] && [ $n -lt 300 ]; do n=$((n+1)); sleep 0.2; done
                  curl -sS --max-time 120 --unix-socket "$C/api.sock" -X "$1" -d "${3:-}" "http://localhost/api/v1$2" \\
                    >> "$D/api.out" || echo "DRIVER api $1 $2 failed"; echo >> "$D/api.out"; }
                waitfor() { n=0; while ! grep -q "$2" "$1" 2>/dev/null; do n=$((n+1)); [ $n -gt $3 ] && { echo "DRIVER gave up waiting for $2"; return 1; }
                  kill -0 "$PID" 2>/dev/null || { echo "DRIVER jvmm ended while waiting for $2"; return 1; }; sleep 0.2; done; }
                scripts/lib/run-with-deadline 400 -- bin/jvmm run --plugin-dir '%3$s' --plugin-dir '%4$s' \\
                    --api-socket "$C/api.sock" "$D/vm.toml" > "$D/jvmm.out" 2>&1 &
                PID=$!
                # The VM's event stream, from when its socket appears until the VM stops.
                n=0; while [ ! -S "$C/api.sock" ] && [ $n -lt 300 ]; do n=$((n+1)); sleep 0.2; done
                curl -sN --unix-socket "$C/api.sock" http://localhost/api/v1/vm/events > "$D/events.ndjson" 2>&1 &
                waitfor "$D/serial.log" BALLOON-READY 1500 && api PUT /vm/devices/balloon0/command '{"command": "target", "args": ["64"]}'
                waitfor "$D/serial.log" BALLOON-DONE 1000
                waitfor "$D/jvmm.out" 'the guest reported a kernel panic' 300
                api PUT /vm/devices/balloon0/command '{"command": "status"}'
                api PUT /vm/shutdown '{"force": true}'
                wait $PID; echo $? > "$D/exit"
                echo "scenario plugins: jvmm exit $(cat "$D/exit")"
                """.formatted(vm.dir(), repo, pluginDirs.get(0), pluginDirs.get(1));
        Path script = work.resolve("driver.sh");
        Files.writeString(script, driver);
        l1 = NestedHost.runInL1(work, 900, List.of("sh", script.toString()));
    }

    private static String apiOutput() throws IOException {
        Path f = vm.dir().resolve("api.out");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    private static String describe() throws IOException {
        return vm.describe() + "\n--- api.out ---\n" + apiOutput() + "\n--- L1 ---\n" + l1.output();
    }

    @Test
    void linuxBindsPvpanicPciAndVirtioBalloonToTheExampleDevices() throws IOException {
        Map<String, String> r = vm.results();
        assertThat(r.get("pvpanic_driver")).as(describe()).isEqualTo("pvpanic-pci");
        assertThat(r.get("balloon_pci_driver")).as(describe()).isEqualTo("virtio-pci");
        assertThat(r.get("balloon_driver")).as(describe()).isEqualTo("virtio_balloon");
    }

    @Test
    void aTargetSetThroughTheApiInflatesTheGuestsBalloon() throws IOException {
        Map<String, String> r = vm.results();
        String api = apiOutput();
        assertThat(api).as(describe()).contains("\"command\":\"target\",\"output\":\"target 64 MiB (16384 pages)");
        // virtio_balloon takes every inflated page out of MemTotal (no DEFLATE_ON_OOM offered).
        assertThat(Long.parseLong(r.getOrDefault("balloon_took_kib", "0"))).as(describe()).isEqualTo(64 * 1024);
        assertThat(api).as(describe())
                .contains("\"output\":\"target 64 MiB (16384 pages), the guest reports 64 MiB (16384 pages), "
                        + "pages in the balloon 16384 ");
    }

    @Test
    void aGuestKernelPanicIsReportedByThePvpanicDevice() throws IOException {
        assertThat(vm.serial()).as(describe()).contains("sysrq triggered crash");
        assertThat(vm.jvmmOutput()).as(describe()).contains("pvpanic0: the guest reported a kernel panic");
        // The plugin's DeviceContext.reportEvent, on the VM's event stream.
        Path events = vm.dir().resolve("events.ndjson");
        String stream = Files.exists(events) ? Files.readString(events) : "";
        assertThat(stream.lines().filter(l -> l.contains("\"type\":\"device\"") && l.contains("\"device\":\"pvpanic0\"")
                && l.contains("\"event\":\"guest-panicked\"")).count()).as(stream + "\n" + describe()).isEqualTo(1);
        assertThat(vm.exitCode()).as(describe()).isZero();
    }
}
