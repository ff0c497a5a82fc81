package io.jvmm.shell;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;

/**
 * The interactive loop: a JLine {@link LineReader} with the shell's completer and a history
 * file. Ctrl-C cancels the line being typed (and interrupts a waiting command such as
 * {@code sleep}); it never reaches the VM. Ctrl-D leaves, asking first when a VM is running.
 * Notices from the VM thread (the guest powered off) are printed above the prompt.
 */
final class Repl {
    private final Shell shell;
    private final Terminal terminal;
    private final LineReader reader;

    Repl(Shell shell, Terminal terminal, Path historyFile) {
        this.shell = shell;
        this.terminal = terminal;
        if (terminal.getWidth() <= 0 || terminal.getHeight() <= 0) {
            // A pty nobody sized (script(1) without a terminal, a test harness): with 0 columns
            // JLine would cut the prompt and the echo down to nothing.
            terminal.setSize(new Size(80, 24));
        }
        DefaultParser parser = new DefaultParser();
        parser.setEofOnUnclosedQuote(false);
        this.reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("jvmm")
                .parser(parser)
                .completer(new ShellCompleter(shell.commands(), shell.session()::deviceIds, shell.session()::deviceCommands,
                        Path.of("").toAbsolutePath()))
                .variable(LineReader.HISTORY_FILE, historyFile)
                .variable(LineReader.HISTORY_FILE_SIZE, 2000)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .option(LineReader.Option.HISTORY_IGNORE_SPACE, true)
                .build();
        shell.session().notices(reader::printAbove);
        shell.terminal(this::attach);
    }

    LineReader reader() {
        return reader;
    }

    /** Reads and runs lines until quit or Ctrl-D; returns 0 (a failed command has been reported at the prompt). */
    int run() {
        Thread main = Thread.currentThread();
        while (!shell.quitRequested()) {
            String line;
            try {
                line = reader.readLine(prompt());
            } catch (UserInterruptException e) {
                continue; // Ctrl-C: the line is dropped, nothing else happens
            } catch (EndOfFileException e) {
                if (confirmLeave()) {
                    break;
                }
                continue;
            }
            terminal.handle(Terminal.Signal.INT, sig -> main.interrupt());
            try {
                shell.execute(line);
            } finally {
                terminal.handle(Terminal.Signal.INT, Terminal.SignalHandler.SIG_IGN);
                Thread.interrupted();
            }
        }
        try {
            reader.getHistory().save();
        } catch (IOException e) {
            shell.err().println("jvmm: cannot save the history: " + e.getMessage());
        }
        return 0;
    }

    private String prompt() {
        return shell.session().vm()
                .map(r -> "jvmm " + r.control().info().name() + " (" + r.control().state().name().toLowerCase() + ")> ")
                .orElse("jvmm> ");
    }

    private boolean confirmLeave() {
        if (shell.session().vm().map(Session.Running::elsewhere).orElse(true)) {
            return true; // nothing running, or a VM of another process: it keeps running
        }
        reader.setVariable(LineReader.DISABLE_HISTORY, true);
        try {
            String answer = reader.readLine("A VM is running; leaving stops it. Leave? [y/N] ");
            return answer.strip().toLowerCase().startsWith("y");
        } catch (EndOfFileException e) {
            return true; // Ctrl-D twice
        } catch (UserInterruptException e) {
            return false;
        } finally {
            reader.setVariable(LineReader.DISABLE_HISTORY, false);
        }
    }

    /** {@code console}: the terminal in raw mode (no signals, so Ctrl-C goes to the guest) until an escape. */
    private ShellConsole.Detach attach(ShellConsole console, Session.Running vm) throws IOException {
        terminal.writer().println("jvmm: attached to the serial console; Ctrl-] or Ctrl-A x returns to the shell");
        terminal.writer().flush();
        Attributes saved = terminal.getAttributes();
        Attributes raw = new Attributes(saved);
        raw.setLocalFlags(EnumSet.of(Attributes.LocalFlag.ICANON, Attributes.LocalFlag.ECHO,
                Attributes.LocalFlag.IEXTEN, Attributes.LocalFlag.ISIG), false);
        raw.setInputFlags(EnumSet.of(Attributes.InputFlag.IXON, Attributes.InputFlag.ICRNL,
                Attributes.InputFlag.INLCR, Attributes.InputFlag.IGNCR), false);
        raw.setControlChar(Attributes.ControlChar.VMIN, 1);
        raw.setControlChar(Attributes.ControlChar.VTIME, 0);
        terminal.setAttributes(raw);
        try {
            return console.attach(terminal.reader(), terminal.output(), vm::alive);
        } finally {
            terminal.setAttributes(saved);
        }
    }
}
