package io.jvmm.nested;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 3, section 3 item 3: virtio-console under a Linux guest (virtio_console loaded by its
 * init, so port 0 is hvc0). One VM has the port on a file and {@code console=hvc0} on its
 * command line: what the guest writes to /dev/hvc0 and the kernel log both land in the file.
 * A second VM has the port on jvmm's stdio with a fixed size: the guest's tty gets that size,
 * reads a line piped into jvmm's stdin and writes back to jvmm's stdout.
 */
@Tag("nested")
class VirtioConsoleNestedIT {
    private static final String BASE = "console=ttyS0 reboot=k panic=-1 jvmm.mods=1 jvmm.end=poweroff";
    private static final String FILE_SCRIPT = """
            sleep 1
            echo "%1$s" > /dev/hvc0
            echo "RESULT consoles=$(cat /sys/class/tty/console/active)"
            echo "RESULT hvc0=$([ -c /dev/hvc0 ] && echo present)"
            cat /proc/consoles | sed 's/^/RESULT proc_consoles=/'
            echo "<2>%2$s" > /dev/kmsg
            sleep 1
            """;
    // hvc0 stays open throughout: the tty drops unread input at its last close.
    private static final String STDIO_SCRIPT = """
            exec 4<>/dev/hvc0
            stty -echo <&4
            echo "RESULT size=$(stty size <&4)"
            read -t 30 line <&4
            echo "RESULT input=$line"
            echo "%1$s" >&4
            exec 4>&-
            """;

    private static String fileMarker;
    private static String kernelMarker;
    private static String stdioMarker;
    private static String inputLine;
    private static GuestScenario file;
    private static GuestScenario stdio;

    @BeforeAll
    static void runScenariosInL1() throws IOException, InterruptedException {
        Path repo = NestedHost.repo();
        Path work = Files.createDirectories(NestedHost.workDir("virtio-console"));
        Path assets = NestedHost.guestAssets(NestedHost.workDir("guest"));
        Path kernel = assets.resolve("vmlinuz");
        String tag = Long.toHexString(new Random().nextLong());
        fileMarker = "written-to-hvc0-" + tag;
        kernelMarker = "kernel-log-line-" + tag;
        stdioMarker = "hvc0-to-stdout-" + tag;
        inputLine = "typed-on-stdin-" + tag;

        file = scenario(work, assets, kernel, "file", FILE_SCRIPT.formatted(fileMarker, kernelMarker), BASE + " console=hvc0", """
                [[device]]
                type = "virtio-console"
                id = "con0"
                output = "file"
                path = "hvc0.log"
                """);
        Files.deleteIfExists(file.dir().resolve("hvc0.log"));
        stdio = scenario(work, assets, kernel, "stdio", STDIO_SCRIPT.formatted(stdioMarker), BASE + " quiet", """
                [[device]]
                type = "virtio-console"
                id = "con0"
                output = "stdio"
                cols = 132
                rows = 43
                """);

        // The stdio VM reads the line from its stdin: piped in, so no terminal is involved.
        String stdioLine = "cd '" + repo + "' && printf '" + inputLine + "\\n' | timeout 300 bin/jvmm run --no-api '"
                + stdio.dir().resolve("vm.toml") + "' > '" + stdio.dir().resolve("jvmm.out") + "' 2>&1; echo $? > '"
                + stdio.dir().resolve("exit") + "'\n";
        String driver = "#!/bin/sh\n" + file.driverLines(repo, 300) + stdioLine;
        Path script = work.resolve("driver.sh");
        Files.writeString(script, driver);
        NestedHost.runInL1(work, 900, List.of("sh", script.toString()));
    }

    private static GuestScenario scenario(Path work, Path assets, Path kernel, String name, String script,
                                          String cmdline, String devices) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve(name));
        for (String f : List.of("exit", "jvmm.out", "serial.log")) {
            Files.deleteIfExists(dir.resolve(f));
        }
        Path initrd = NestedHost.initrdWithScript(assets, work.resolve("initrd-" + name + ".cpio.gz"), script);
        GuestScenario s = GuestScenario.create(work, name, kernel, initrd, "512M", 1, cmdline);
        Files.writeString(s.dir().resolve("vm.toml"), s.config() + "\n" + devices);
        return s;
    }

    private static String hvcLog() throws IOException {
        Path p = file.dir().resolve("hvc0.log");
        return Files.exists(p) ? Files.readString(p).replace("\r", "") : "";
    }

    @Test
    void whatTheGuestWritesToHvc0IsInTheFile() throws IOException {
        assertThat(file.exitCode()).as(file.describe()).isZero();
        assertThat(file.results().get("hvc0")).as(file.describe()).isEqualTo("present");
        assertThat(hvcLog()).as(file.describe()).contains(fileMarker + "\n");
    }

    @Test
    void withConsoleHvc0TheKernelLogIsInTheFile() throws IOException {
        Map<String, String> r = file.results();
        assertThat(r.get("consoles")).as(file.describe()).contains("hvc0");
        // A kernel message (printk through /dev/kmsg) after hvc0 came up. The log from before is not
        // replayed: Linux's virtio_console registers the hvc console before the port can take output
        // (init_port_console: hvc_alloc, then list_add_tail), so the replay is dropped in the guest.
        assertThat(hvcLog()).as(file.describe()).contains(kernelMarker);
    }

    @Test
    void onStdioTheGuestGetsTheConfiguredSizeAndTheInputAndItsOutputReachesStdout() throws IOException {
        Map<String, String> r = stdio.results();
        assertThat(stdio.exitCode()).as(stdio.describe()).isZero();
        assertThat(r.get("size")).as("stty size: rows cols\n" + stdio.describe()).isEqualTo("43 132");
        assertThat(r.get("input")).as(stdio.describe()).isEqualTo(inputLine);
        assertThat(stdio.jvmmOutput()).as(stdio.describe()).contains(stdioMarker);
    }
}
