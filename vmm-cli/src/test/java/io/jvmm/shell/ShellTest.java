package io.jvmm.shell;

import io.jvmm.control.FakeVm;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.cli.ExitCodes;
import io.jvmm.cli.JvmmCommand;
import io.jvmm.plugin.PluginRegistry;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ShellTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final Shell shell = new Shell(new Session(() -> PluginRegistry.load(getClass().getClassLoader()), s -> { }),
            new PrintWriter(out, true), new PrintWriter(err, true), null);

    private FakeVm adoptFake() {
        FakeVm vm = new FakeVm();
        ShellConsole console = new ShellConsole();
        try {
            console.output().write("counter 1\r\ncounter 2\r\n".getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        shell.session().adopt(vm, console);
        return vm;
    }

    @Test
    void splitsCommandsAndWordsLikeAShell() {
        assertThat(Shell.split("boot x.toml; pause ;info")).containsExactly(List.of("boot", "x.toml"), List.of("pause"),
                List.of("info"));
        assertThat(Shell.split("snapshot 'my dir' # comment")).containsExactly(List.of("snapshot", "my dir"));
        assertThat(Shell.split("snapshot \"a;b\" ; x\\ y")).containsExactly(List.of("snapshot", "a;b"), List.of("x y"));
        assertThat(Shell.split("  ;; ")).isEmpty();
    }

    @Test
    void pauseWithoutAVmIsAClearError() {
        assertThat(shell.execute("pause")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("jvmm: no VM is running: 'boot CONFIG' or 'restore DIR' starts one");
    }

    @Test
    void anUnknownCommandIsNamed() {
        assertThat(shell.execute("frobnicate now")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("unknown command 'frobnicate'", "'help' lists the commands");
    }

    @Test
    void aBadOptionPointsToHelp() {
        adoptFake();
        assertThat(shell.execute("shutdown --bogus")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("Unknown option: '--bogus'", "'help shutdown'");
    }

    @Test
    void pauseInfoResumeOnAFakeVm() {
        FakeVm vm = adoptFake();
        assertThat(shell.execute("pause; info")).isZero();
        assertThat(out.toString()).contains("jvmm: paused", "state:   PAUSED", "vcpus:   2", "memory:  256 MiB",
                "disk0", "VirtioBlock");
        assertThat(shell.execute("resume")).isZero();
        assertThat(vm.calls).containsExactly("pause", "resume");
        assertThat(vm.state()).isEqualTo(io.jvmm.control.VmControl.State.RUNNING);
    }

    @Test
    void snapshotWhileRunningSaysPauseFirst() {
        FakeVm vm = adoptFake();
        assertThat(shell.execute("snapshot /tmp/x")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("cannot snapshot: the VM is running; pause first");
        assertThat(vm.calls).isEmpty();
        assertThat(shell.execute("pause; snapshot /tmp/x")).isZero();
        assertThat(vm.calls).containsExactly("pause", "snapshot /tmp/x");
        assertThat(out.toString()).contains("snapshot written to /tmp/x");
    }

    @Test
    void aFailingCommandStopsTheRestOfTheLine() {
        FakeVm vm = adoptFake();
        assertThat(shell.execute("resume; pause")).isEqualTo(ExitCodes.VM_ERROR);
        assertThat(err.toString()).contains("jvmm: cannot resume: the VM is running");
        assertThat(vm.calls).containsExactly("resume");
    }

    @Test
    void devicesListsIdsAndTypesAndRejectsAnUnknownId() {
        adoptFake();
        assertThat(shell.execute("devices net0")).isZero();
        assertThat(out.toString()).contains("net0", "VirtioNet").doesNotContain("disk0");
        assertThat(shell.execute("devices nope")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("no device 'nope'");
    }

    @Test
    void deviceListsAndRunsADevicesOwnCommands() {
        FakeVm vm = adoptFake();
        assertThat(shell.execute("devices")).isZero();
        assertThat(out.toString()).containsPattern("balloon0 +FakeBalloon +no +target stats");
        assertThat(shell.execute("device balloon0")).isZero();
        assertThat(out.toString()).containsPattern("target MIB +set how much memory").containsPattern("stats +show");
        assertThat(shell.execute("device balloon0 target 128; device balloon0 stats")).isZero();
        assertThat(vm.balloonTargetMib).isEqualTo(128);
        assertThat(out.toString()).contains("jvmm: balloon0 target: done", "target 128 MiB");
        assertThat(shell.execute("device disk0")).isZero();
        assertThat(out.toString()).contains("disk0 offers no commands");
    }

    @Test
    void aDeviceCommandsErrorsAreOneLineEach() {
        adoptFake();
        assertThat(shell.execute("device balloon0 target lots")).isNotZero();
        assertThat(err.toString()).contains("balloon0 target: expected one size in MiB, e.g. 'target 128'");
        assertThat(shell.execute("device balloon0 inflate")).isNotZero();
        assertThat(err.toString()).contains("device 'balloon0' has no command 'inflate' (it offers: target, stats)");
        assertThat(shell.execute("device nope")).isNotZero();
        assertThat(err.toString()).contains("no device 'nope'");
    }

    @Test
    void logShowsTheBufferedSerialOutputAndConsoleNeedsATerminal() {
        adoptFake();
        assertThat(shell.execute("log -n 1")).isZero();
        assertThat(out.toString()).contains("counter 2").doesNotContain("counter 1");
        assertThat(shell.execute("console")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("console needs an interactive terminal");
    }

    @Test
    void shutdownForceAndQuit() {
        FakeVm vm = adoptFake();
        assertThat(shell.execute("shutdown --force")).isZero();
        assertThat(vm.calls).containsExactly("shutdown true");
        assertThat(shell.session().vm()).isEmpty();
        assertThat(shell.execute("quit; info")).isZero();
        assertThat(shell.quitRequested()).isTrue();
    }

    @Test
    void bootTwiceIsRefused() {
        adoptFake();
        assertThat(shell.execute("boot other.toml")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("a VM is already running (one at a time)");
    }

    @Test
    void bootOfABadConfigReportsTheConfigError() {
        assertThat(shell.execute("boot /nonexistent/vm.toml")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("/nonexistent/vm.toml");
        assertThat(shell.execute("boot")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("boot: which config?");
    }

    @Test
    void helpListsTheCommandsAndHelpCommandShowsOne() {
        assertThat(shell.execute("help")).isZero();
        assertThat(out.toString()).contains("boot", "pause", "resume", "snapshot", "restore", "info", "devices",
                "console", "shutdown", "quit", "Ctrl-D");
        out.getBuffer().setLength(0);
        assertThat(shell.execute("help shutdown")).isZero();
        assertThat(out.toString()).contains("--force", "power off");
    }

    @Test
    void linesFromANonTtyStdinStopAtTheFirstFailure() throws Exception {
        FakeVm vm = adoptFake();
        int code = ShellCommand.runLines(shell, new BufferedReader(new StringReader("pause\ninfo\nresume\nresume\npause\n")));
        assertThat(code).isEqualTo(ExitCodes.VM_ERROR);
        assertThat(vm.calls).containsExactly("pause", "resume", "resume");
        assertThat(out.toString()).contains("state:   PAUSED");
    }

    @Test
    void jvmmShellDashCRunsTheSameCommands() {
        CommandLine cl = JvmmCommand.commandLine();
        StringWriter e = new StringWriter();
        cl.setErr(new PrintWriter(e, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        int code = cl.execute("shell", "-c", "help pause; pause");
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(e.toString()).contains("no VM is running");
        assertThat(cl.getSubcommands()).containsKey("shell");
    }

    @Test
    void historyDefaultsToTheHomeDirectory() {
        Path h = ShellCommand.historyFile();
        String env = System.getenv(ShellCommand.HISTORY_ENV);
        assertThat(h).isEqualTo(env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".jvmm_history"));
    }
}
