package io.jvmm.shell;

import io.jvmm.cli.CommonOptions;
import io.jvmm.cli.ExitCodes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jvmm shell [CONFIG]}: the interactive shell, or its commands from -c or a non-tty stdin. */
@Command(name = "shell",
        mixinStandardHelpOptions = true,
        header = "Interactive shell: boot, pause, resume, snapshot and restore VMs.",
        description = {
            "Starts a prompt with completion (Tab) and history ($JVMM_HISTORY, default ~/.jvmm_history). "
                    + "With CONFIG the VM is booted first. 'help' at the prompt lists the commands.",
            "",
            "With -c, or when stdin is not a terminal, the commands are read from there instead (';' or "
                    + "newlines between them) and the first failing command ends the shell with its exit code. "
                    + "Leaving the shell stops a VM it booted that still runs; an attached VM keeps running.",
            "",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  jvmm shell examples/configs/demo.toml",
            "  jvmm shell --attach demo           (or: jvmm attach demo)",
            "  jvmm shell -c 'boot vm.toml; sleep 5; pause; snapshot snap; info'",
            "  printf 'boot vm.toml\\nsleep 3\\nlog\\n' | jvmm shell",
        })
public final class ShellCommand implements Callable<Integer> {
    /** The history file unless $JVMM_HISTORY names another. */
    static final String HISTORY_ENV = "JVMM_HISTORY";

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Mixin
    private io.jvmm.cli.SeccompOption seccomp;

    @Option(names = {"-c", "--command"}, paramLabel = "COMMANDS",
            description = "Run COMMANDS (separated by ';' or newlines) without a prompt, then leave.")
    private String script;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG", description = "A VM config to boot at start.")
    private Path config;

    @Option(names = "--attach", paramLabel = "NAME",
            description = "Attach to the running VM NAME at start ('jvmm attach NAME' does this).")
    private String attach;

    /** The first command: boot CONFIG, attach NAME, or nothing. */
    private String first() {
        if (attach != null && config != null) {
            throw new io.jvmm.cli.UsageException("give CONFIG to boot or --attach NAME, not both");
        }
        return attach != null ? "attach " + attach : config != null ? "boot" : null;
    }

    @Override
    public Integer call() throws Exception {
        seccomp.apply(); // for every VM this shell boots or restores
        boolean interactive = script == null && System.console() != null;
        if (!interactive) {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (Shell shell = new Shell(new Session(common::loadPlugins, line -> say(err, line)), out, err, config)) {
                int code = first() == null ? 0 : shell.execute(first());
                if (code != 0) {
                    return code;
                }
                if (script != null) {
                    return shell.execute(script);
                }
                return runLines(shell, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
            }
        }
        try (Terminal terminal = openTerminal()) {
            PrintWriter out = terminal.writer();
            try (Shell shell = new Shell(new Session(common::loadPlugins, line -> say(out, line)), out, out, config)) {
                Repl repl = new Repl(shell, terminal, historyFile());
                out.println("jvmm shell: 'help' lists the commands, Tab completes, Ctrl-D leaves");
                if (first() != null) {
                    shell.execute(first());
                }
                return repl.run();
            }
        }
    }

    /** One command per line until end of input or quit; stops at the first failure. */
    static int runLines(Shell shell, BufferedReader in) throws IOException {
        String line;
        int code = ExitCodes.OK;
        while (!shell.quitRequested() && (line = in.readLine()) != null) {
            code = shell.execute(line);
            if (code != ExitCodes.OK) {
                return code;
            }
        }
        return code;
    }

    static Path historyFile() {
        String env = System.getenv(HISTORY_ENV);
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".jvmm_history");
    }

    private static Terminal openTerminal() throws IOException {
        // The exec provider (stty) as in io.jvmm.console.RawTerminal: it changes only the flags
        // asked for. Ctrl-C outside readLine is ignored (the line reader turns it into a
        // cancelled line while reading).
        String term = System.getenv("TERM");
        boolean dumbType = term == null || term.isBlank() || term.startsWith(Terminal.TYPE_DUMB);
        return TerminalBuilder.builder()
                .name("jvmm")
                .system(true)
                .provider("exec")
                .type(dumbType ? "vt100" : term)
                .signalHandler(Terminal.SignalHandler.SIG_IGN)
                .build();
    }

    private static void say(PrintWriter w, String line) {
        synchronized (w) {
            w.println(line);
            w.flush();
        }
    }
}
