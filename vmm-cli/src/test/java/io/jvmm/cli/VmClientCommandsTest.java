package io.jvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.api.ApiServer;
import io.jvmm.console.ConsoleTap;
import io.jvmm.console.NullConsole;
import io.jvmm.control.EventedControl;
import io.jvmm.control.FakeVm;
import io.jvmm.control.VmEvents;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jvmm ls|pause|resume|snapshot|shutdown|info|device|completion} against a real socket over a fake VM. */
class VmClientCommandsTest {
    @TempDir
    Path tmp;
    private FakeVm fake;
    private ApiServer server;
    private Path socket;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        fake = new FakeVm();
        socket = tmp.resolve("fake.sock");
        server = ApiServer.start(socket, new EventedControl(fake, new VmEvents()), new ConsoleTap(new NullConsole()),
                "fake.toml");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private int jvmm(String... args) {
        CommandLine cl = JvmmCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void theClientsDriveTheVmThroughItsSocket() {
        String s = socket.toString();
        assertThat(jvmm("pause", "fake", "--api-socket", s)).as(err.toString()).isZero();
        assertThat(jvmm("pause", "fake", "--api-socket", s)).isEqualTo(ExitCodes.VM_ERROR);
        assertThat(err.toString()).contains("jvmm: fake: cannot pause: the VM is paused");
        assertThat(jvmm("resume", "fake", "--api-socket", s)).isZero();
        assertThat(jvmm("snapshot", "fake", tmp.resolve("snap").toString(), "--api-socket", s)).as(err.toString()).isZero();
        assertThat(jvmm("device", "fake", "balloon0", "target", "64", "--api-socket", s)).isZero();
        assertThat(jvmm("info", "fake", "--api-socket", s)).isZero();
        assertThat(jvmm("shutdown", "fake", "--force", "--api-socket", s)).isZero();
        assertThat(out.toString()).contains("fake: paused", "fake: running", "fake: snapshot written to " + tmp.resolve("snap"),
                "balloon0 target: done", "state:   RUNNING", "balloon0     FakeBalloon", "fake: stopped");
        assertThat(fake.calls).containsExactly("pause", "pause", "resume", "pause", "snapshot " + tmp.resolve("snap"),
                "resume", "shutdown true");
        assertThat(fake.balloonTargetMib).isEqualTo(64);
    }

    @Test
    void lsListsTheVmsThatAnswerAndSkipsADeadSocket() throws Exception {
        try (var dead = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            dead.bind(java.net.UnixDomainSocketAddress.of(tmp.resolve("dead.sock")));
        }
        assertThat(jvmm("ls", "--dir", tmp.toString())).as(err.toString()).isZero();
        assertThat(out.toString().lines().toList()).hasSize(2);
        assertThat(out.toString()).containsPattern("(?m)^fake +" + ProcessHandle.current().pid() + " +RUNNING +2 +256Mi +"
                + socket);
    }

    @Test
    void aVmThatIsNotRunningIsOneClearLine() {
        assertThat(jvmm("pause", "nosuch", "--api-socket", tmp.resolve("nosuch.sock").toString()))
                .isEqualTo(ExitCodes.VM_ERROR);
        assertThat(err.toString().strip()).isEqualTo("jvmm: no VM named 'nosuch' is running (no socket "
                + tmp.resolve("nosuch.sock") + "); 'jvmm ls' lists them");
        assertThat(jvmm("pause", "../x")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("VM name '../x' cannot name an API socket");
    }

    @Test
    void theBashCompletionCompletesCommandsAndRunningVmNamesWhenTabIsPressed() {
        assertThat(jvmm("completion", "bash")).isZero();
        assertThat(out.toString()).contains("complete -F _complete_jvmm", "pause", "snapshot", "console", "attach")
                .contains("basename \"$s\" .sock");
        assertThat(jvmm("completion", "fish")).isEqualTo(ExitCodes.USAGE);
    }
}
