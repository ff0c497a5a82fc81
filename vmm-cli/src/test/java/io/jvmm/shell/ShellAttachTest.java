package io.jvmm.shell;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.api.ApiServer;
import io.jvmm.cli.ExitCodes;
import io.jvmm.console.ConsoleTap;
import io.jvmm.console.NullConsole;
import io.jvmm.control.EventedControl;
import io.jvmm.control.FakeVm;
import io.jvmm.control.VmControl;
import io.jvmm.control.VmEvents;
import io.jvmm.plugin.PluginRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shell on a VM of another process, through the VM's real API socket (over a fake VM). */
class ShellAttachTest {
    @TempDir
    Path tmp;

    @Test
    void everyLifecycleCommandWorksOnAnAttachedVmAndQuittingLeavesItRunning() throws Exception {
        FakeVm fake = new FakeVm();
        ConsoleTap console = new ConsoleTap(new NullConsole());
        List<byte[]> typed = new CopyOnWriteArrayList<>();
        console.attachInput(typed::add);
        console.output().write("login: \r\n".getBytes(StandardCharsets.UTF_8));
        Path socket = tmp.resolve("fake.sock");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try (ApiServer server = ApiServer.start(socket, new EventedControl(fake, new VmEvents()), console, "fake.toml")) {
            try (Shell shell = new Shell(new Session(() -> PluginRegistry.load(getClass().getClassLoader()), s -> { }),
                    new PrintWriter(out, true), new PrintWriter(err, true), null)) {
                int code = shell.execute("attach fake --api-socket " + socket + "; pause; info; snapshot " + tmp.resolve("s")
                        + "; resume; device balloon0 target 32; log");
                assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
                assertThat(shell.execute("boot x.toml")).isEqualTo(ExitCodes.USAGE);
                assertThat(err.toString()).contains("a VM is already running");
            }
        }
        assertThat(out.toString()).contains("jvmm: attached to fake (running, 2 vCPU(s), 256 MiB)", "jvmm: paused",
                "state:   PAUSED", "jvmm: snapshot written to", "jvmm: resumed", "login:");
        assertThat(fake.calls).containsExactly("pause", "snapshot " + tmp.resolve("s"), "resume");
        assertThat(fake.balloonTargetMib).isEqualTo(32);
        assertThat(fake.state()).isEqualTo(VmControl.State.RUNNING);
    }

    @Test
    void attachingToANameWithoutAVmIsOneClearLine() {
        StringWriter err = new StringWriter();
        Shell shell = new Shell(new Session(() -> PluginRegistry.load(getClass().getClassLoader()), s -> { }),
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), null);
        assertThat(shell.execute("attach nobody --api-socket " + tmp.resolve("none.sock"))).isNotZero();
        assertThat(err.toString()).contains("no VM named 'nobody' is running (no socket " + tmp.resolve("none.sock"));
    }
}
