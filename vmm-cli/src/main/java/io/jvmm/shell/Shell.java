package io.jvmm.shell;

import io.jvmm.cli.ExitCodes;
import io.jvmm.config.ConfigException;
import io.jvmm.plugin.PluginException;
import io.jvmm.snapshot.SnapshotException;
import io.jvmm.snapshot.SnapshotProgress;
import io.jvmm.vm.VmException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/**
 * The shell without its terminal: one picocli {@link CommandLine} of {@link ShellCommands}
 * reused for every line, the {@link Session} they act on, and the output streams. The
 * interactive {@link Repl} and the scripted modes ({@code -c}, a non-tty stdin) both feed
 * lines to {@link #execute(String)}.
 */
final class Shell implements AutoCloseable {
    /** What the interactive shell adds: attaching the terminal to the guest console. */
    interface Terminal {
        ShellConsole.Detach attach(ShellConsole console, Session.Running vm) throws Exception;
    }

    private final Session session;
    private final CommandLine commands;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Path defaultConfig;
    private Terminal terminal;
    private boolean quit;

    Shell(Session session, PrintWriter out, PrintWriter err, Path defaultConfig) {
        this.session = session;
        this.out = out;
        this.err = err;
        this.defaultConfig = defaultConfig;
        this.commands = new CommandLine(new ShellCommands(this));
        commands.setOut(out);
        commands.setErr(err);
        commands.setCaseInsensitiveEnumValuesAllowed(true);
        commands.setExecutionExceptionHandler((e, cl, parsed) -> {
            report(e);
            return ExitCodes.forException(e);
        });
        commands.setParameterExceptionHandler((e, args) -> {
            err.println("jvmm: " + e.getMessage());
            err.println("jvmm: 'help " + e.getCommandLine().getCommandName() + "' shows its usage");
            err.flush();
            return ExitCodes.USAGE;
        });
    }

    CommandLine commands() {
        return commands;
    }

    Session session() {
        return session;
    }

    PrintWriter out() {
        return out;
    }

    PrintWriter err() {
        return err;
    }

    Optional<Path> defaultConfig() {
        return Optional.ofNullable(defaultConfig);
    }

    void terminal(Terminal t) {
        this.terminal = t;
    }

    Optional<Terminal> terminal() {
        return Optional.ofNullable(terminal);
    }

    void requestQuit() {
        quit = true;
    }

    boolean quitRequested() {
        return quit;
    }

    /**
     * Runs one line: commands separated by ';', words split like a shell (quotes, backslash),
     * '#' starts a comment. Stops at the first command that fails and returns its exit code.
     */
    int execute(String line) {
        List<List<String>> parsed;
        try {
            parsed = split(line);
        } catch (IllegalArgumentException e) {
            err.println("jvmm: " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        for (List<String> words : parsed) {
            int code = run(words);
            if (code != ExitCodes.OK || quit) {
                return code;
            }
        }
        return ExitCodes.OK;
    }

    private int run(List<String> words) {
        if (words.isEmpty()) {
            return ExitCodes.OK;
        }
        if (!commands.getSubcommands().containsKey(words.get(0))) {
            err.println("jvmm: unknown command '" + words.get(0) + "'; 'help' lists the commands");
            err.flush();
            return ExitCodes.USAGE;
        }
        int code = commands.execute(words.toArray(String[]::new));
        out.flush();
        err.flush();
        return code;
    }

    private void report(Exception e) {
        if (e instanceof ConfigException) {
            err.println(e.getMessage());
        } else if (e instanceof SnapshotException || e instanceof VmException || e instanceof PluginException
                || e instanceof io.jvmm.cli.UsageException) {
            err.println("jvmm: " + e.getMessage());
        } else if (e instanceof InterruptedException) {
            err.println("jvmm: interrupted");
        } else {
            err.println("jvmm: internal error: " + e);
        }
        err.flush();
    }

    /** Prints "jvmm: PHASE: NN%" at most once per 10 %, once the step has taken half a second. */
    SnapshotProgress progress() {
        long start = System.nanoTime();
        int[] last = {-1};
        return (phase, done, total) -> {
            if (total <= 0 || System.nanoTime() - start < 500_000_000L) {
                return;
            }
            int pct = (int) (done * 100 / total);
            if (pct / 10 != last[0] / 10) {
                last[0] = pct;
                synchronized (err) {
                    err.println("jvmm: " + phase + ": " + pct + "%");
                    err.flush();
                }
            }
        };
    }

    /** Splits {@code line} into commands (at unquoted ';') of words. */
    static List<List<String>> split(String line) {
        List<List<String>> commands = new ArrayList<>();
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (c == '\\' && i + 1 < line.length()) {
                word = word == null ? new StringBuilder() : word;
                word.append(line.charAt(++i));
            } else if (c == ';' || c == '\n') {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                commands.add(words);
                words = new ArrayList<>();
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else if (c == '#' && word == null) {
                int nl = line.indexOf('\n', i);
                if (nl < 0) {
                    break;
                }
                i = nl - 1;
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unterminated " + quote + " quote");
        }
        if (word != null) {
            words.add(word.toString());
        }
        commands.add(words);
        commands.removeIf(List::isEmpty);
        return commands;
    }

    /** Stops the VM, if any. */
    @Override
    public void close() {
        session.close();
    }
}
