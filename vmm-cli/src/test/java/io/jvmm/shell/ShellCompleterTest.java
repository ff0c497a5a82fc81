package io.jvmm.shell;

import io.jvmm.control.FakeVm;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jline.reader.Candidate;
import org.jline.reader.impl.DefaultParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellCompleterTest {
    @TempDir
    Path dir;

    private final Shell shell = new Shell(new Session(() -> null, s -> { }), new PrintWriter(new StringWriter()),
            new PrintWriter(new StringWriter()), null);

    private List<String> complete(String line) {
        ShellCompleter completer = new ShellCompleter(shell.commands(), shell.session()::deviceIds,
                shell.session()::deviceCommands, dir);
        List<Candidate> candidates = new ArrayList<>();
        completer.complete(null, new DefaultParser().parse(line, line.length()), candidates);
        // The line reader keeps the candidates that start with the word; do the same here.
        String word = new DefaultParser().parse(line, line.length()).word();
        return candidates.stream().map(Candidate::value).filter(v -> v.startsWith(word)).sorted().toList();
    }

    @Test
    void commandNames() {
        assertThat(complete("pau")).containsExactly("pause");
        assertThat(complete("re")).containsExactly("restore", "resume");
        assertThat(complete("")).contains("boot", "console", "devices", "help", "info", "log", "quit", "shutdown",
                "snapshot");
        assertThat(complete("pause; sn")).containsExactly("snapshot");
    }

    @Test
    void optionsOfTheCommandBeingTyped() {
        assertThat(complete("shutdown --")).containsExactly("--force");
        assertThat(complete("log -")).containsExactly("--lines", "-n");
    }

    @Test
    void filePathsForConfigsAndSnapshotDirectories() throws IOException {
        Files.writeString(dir.resolve("vm.toml"), "");
        Files.writeString(dir.resolve("other.toml"), "");
        Files.createDirectories(dir.resolve("snaps/one"));
        assertThat(complete("boot v")).containsExactly("vm.toml");
        assertThat(complete("snapshot sn")).containsExactly("snaps/");
        assertThat(complete("restore snaps/")).containsExactly("snaps/one/");
        assertThat(complete("boot " + dir + "/o")).containsExactly(dir + "/other.toml");
        assertThat(complete("pause ")).isEmpty();
    }

    @Test
    void deviceIdsOfTheRunningVm() {
        assertThat(complete("devices ")).isEmpty();
        shell.session().adopt(new FakeVm(), new ShellConsole());
        assertThat(complete("devices ")).containsExactly("balloon0", "com1", "disk0", "net0");
        assertThat(complete("devices d")).containsExactly("disk0");
    }

    @Test
    void deviceCompletesIdsThenThatDevicesCommands() {
        shell.session().adopt(new FakeVm(), new ShellConsole());
        assertThat(complete("device b")).containsExactly("balloon0");
        assertThat(complete("device balloon0 ")).containsExactly("stats", "target");
        assertThat(complete("device balloon0 t")).containsExactly("target");
        assertThat(complete("device disk0 ")).isEmpty();
    }

    @Test
    void helpCompletesCommandNames() {
        assertThat(complete("help sh")).containsExactly("shutdown");
    }
}
