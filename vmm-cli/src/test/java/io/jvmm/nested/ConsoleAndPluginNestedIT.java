package io.jvmm.nested;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The serial console on a real terminal (a pty made by script(1)): the guest's shell is usable
 * and Ctrl-A x stops the VM. And a third-party plugin loaded from its own jar with
 * --plugin-dir receives the guest's port writes: the guest kernel's 8250 early console is
 * pointed at the debugcon port 0xE9.
 */
@Tag("nested")
class ConsoleAndPluginNestedIT {
    private static Path work;
    private static String consoleOutput;
    private static int consoleExit;
    private static GuestScenario plugin;

    @BeforeAll
    static void runInL1() throws IOException, InterruptedException {
        Path repo = NestedHost.repo();
        work = NestedHost.workDir("console");
        for (String f : List.of("pty.out", "exit", "debugcon.log")) {
            Files.deleteIfExists(work.resolve(f));
        }
        Path assets = NestedHost.guestAssets(NestedHost.workDir("guest"));
        Path kernel = assets.resolve("vmlinuz");
        Path initrd = assets.resolve("initrd.cpio.gz");

        Files.writeString(work.resolve("shell.toml"), """
                [vm]
                name = "shell"
                memory = "256M"
                [boot]
                kernel = "%s"
                initramfs = "%s"
                cmdline = "console=ttyS0 reboot=k panic=-1 quiet jvmm.end=shell"
                [serial]
                mode = "stdio"
                """.formatted(kernel, initrd));
        // Types a command at the guest shell's prompt (input sent earlier is flushed when the shell
        // takes the tty), retries if the answer does not come, then Ctrl-A x.
        String driver = """
                #!/bin/bash
                cd '%1$s'
                w='%2$s'
                keys=$(mktemp -u /tmp/keys.XXXXXX); mkfifo "$keys"   # in L1's tmpfs: a FIFO on the 9p share carries nothing
                ( timeout 300 script -qfec "bin/jvmm run --no-api $w/shell.toml" /dev/null < "$keys" > "$w/pty.out" 2>&1
                  echo $? > "$w/exit" ) &
                exec 3> "$keys"
                wait_for() { for i in $(seq "$2"); do grep -q "$1" "$w/pty.out" 2>/dev/null && return 0; sleep 0.5; done; return 1; }
                wait_for '/ # ' 600
                for try in 1 2 3 4 5; do
                  printf 'echo SHELL-$((6*7))\\r' >&3
                  wait_for SHELL-42 40 && break
                done
                printf '\\001x' >&3
                wait
                echo "console scenario: jvmm exit $(cat "$w/exit")"
                """.formatted(repo, work);
        Files.writeString(work.resolve("console.sh"), driver);

        plugin = GuestScenario.create(work, "debugcon", kernel, initrd, "256M", 1,
                "console=ttyS0 earlycon=uart8250,io,0xe9,115200 keep_bootcon reboot=k panic=-1 jvmm.end=poweroff");
        Files.writeString(plugin.dir().resolve("vm.toml"), plugin.config() + """

                [[device]]
                type = "debugcon"
                port = "0xE9"
                path = "debugcon.log"
                """);
        String pluginRun = plugin.driverLines(repo, 300).replace("bin/jvmm run",
                "bin/jvmm run --plugin-dir '" + repo.resolve("examples/debugcon-plugin")
                        .resolve(System.getProperty("jvmm.target", "target")) + "'");
        Files.writeString(work.resolve("driver.sh"), "#!/bin/bash\nbash '" + work.resolve("console.sh") + "'\n" + pluginRun);

        NestedHost.runInL1(work, 900, List.of("bash", work.resolve("driver.sh").toString()));
        Path out = work.resolve("pty.out");
        consoleOutput = Files.exists(out) ? Files.readString(out).replace("\r", "") : "";
        Path exit = work.resolve("exit");
        consoleExit = Files.exists(exit) ? Integer.parseInt(Files.readString(exit).strip()) : -1;
    }

    @Test
    void theGuestShellAnswersOnTheTerminal() {
        assertThat(consoleOutput).contains(GuestScenario.INIT_MARKER).contains("SHELL-42")
                .contains("jvmm: console escape is Ctrl-A x");
    }

    @Test
    void ctrlAXStopsTheVmAndJvmmExitsZero() {
        assertThat(consoleOutput).as(consoleOutput).contains("jvmm: VM stopped from the console (Ctrl-A x)");
        assertThat(consoleExit).as(consoleOutput).isZero();
    }

    @Test
    void aPluginFromItsOwnJarReceivesTheGuestsPortWrites() throws IOException {
        assertThat(plugin.exitCode()).as(plugin.describe()).isZero();
        Path log = plugin.dir().resolve("debugcon.log");
        assertThat(log).as(plugin.describe()).exists();
        assertThat(Files.readString(log)).contains("Linux version");
    }
}
