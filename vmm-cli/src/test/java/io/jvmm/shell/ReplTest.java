package io.jvmm.shell;

import io.jvmm.control.FakeVm;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The interactive loop on an in-memory terminal: history file, Tab completion, Ctrl-C, Ctrl-D. */
class ReplTest {
    @TempDir
    Path dir;

    private String run(String keys, Path history, FakeVm vm) throws Exception {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        try (Terminal terminal = new DumbTerminal("test", "ansi",
                new ByteArrayInputStream(keys.getBytes(StandardCharsets.UTF_8)), screen, StandardCharsets.UTF_8)) {
            Attributes attributes = terminal.getAttributes();
            attributes.setLocalFlag(Attributes.LocalFlag.ISIG, true);
            attributes.setControlChar(Attributes.ControlChar.VINTR, 3);
            attributes.setControlChar(Attributes.ControlChar.VEOF, 4);
            terminal.setAttributes(attributes);
            terminal.setSize(new org.jline.terminal.Size(160, 40));
            Shell shell = new Shell(new Session(() -> null, s -> { }), terminal.writer(), terminal.writer(), null);
            if (vm != null) {
                shell.session().adopt(vm, new ShellConsole());
            }
            new Repl(shell, terminal, history).run();
            terminal.flush();
        }
        return screen.toString(StandardCharsets.UTF_8);
    }

    @Test
    void linesGoToTheHistoryFileAndTabCompletesACommand() throws Exception {
        Path history = dir.resolve("hist");
        FakeVm vm = new FakeVm();
        String screen = run("pau\t\ninfo\n\u0003garbage\u0003quit\n", history, vm);
        assertThat(vm.calls).containsExactly("pause");
        assertThat(screen).contains("state:   PAUSED");
        String saved = Files.readString(history);
        assertThat(saved).contains("pause", "info", "quit").doesNotContain("garbage");
    }

    @Test
    void ctrlDLeavesAtOnceWithoutAVmAndAsksWithOne() throws Exception {
        assertThat(run("\u0004", dir.resolve("h1"), null)).doesNotContain("Leave?");
        FakeVm vm = new FakeVm();
        String screen = run("\u0004n\n\u0004y\n", dir.resolve("h2"), vm);
        assertThat(screen).contains("A VM is running; leaving stops it. Leave? [y/N]");
        assertThat(Files.readString(dir.resolve("h2"))).doesNotContain("y");
    }
}
