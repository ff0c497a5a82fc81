package io.jvmm.console;

import io.jvmm.kvm.LibC;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The host terminal switched to raw mode, for as long as the guest owns it. Everything the
 * user types goes to the guest (ISIG off, so Ctrl-C reaches the guest's shell instead of
 * killing jvmm); output processing (OPOST) stays on, so host messages still start at the
 * left margin. {@link #close()} puts back the original modes.
 */
public final class RawTerminal implements AutoCloseable {
    private static final int STDIN = 0;
    private final Terminal terminal;
    private final Attributes original;
    private boolean closed;

    private RawTerminal(Terminal terminal) {
        this.terminal = terminal;
        this.original = terminal.getAttributes();
        Attributes raw = new Attributes(original);
        raw.setLocalFlags(java.util.EnumSet.of(Attributes.LocalFlag.ICANON, Attributes.LocalFlag.ECHO,
                Attributes.LocalFlag.IEXTEN, Attributes.LocalFlag.ISIG), false);
        raw.setInputFlags(java.util.EnumSet.of(Attributes.InputFlag.IXON, Attributes.InputFlag.ICRNL,
                Attributes.InputFlag.INLCR, Attributes.InputFlag.IGNCR), false);
        // Block until at least one byte arrives, with no inter-byte timer.
        raw.setControlChar(Attributes.ControlChar.VMIN, 1);
        raw.setControlChar(Attributes.ControlChar.VTIME, 0);
        terminal.setAttributes(raw);
    }

    /**
     * Opens the system terminal in raw mode; empty when stdin is not a terminal (a pipe or a
     * file), in which case no terminal mode is touched.
     */
    public static Optional<RawTerminal> open() throws IOException {
        // Asked natively first: JLine's exec provider finds out with child processes ('test -t'
        // and 'tty', 8 process starts), which cost every headless 'jvmm run' with a stdio console
        // 0.47 s on this project's host and 1.7 s inside the nested test host on its way to the
        // first KVM_RUN, only to learn that stdin is /dev/null or a pipe.
        if (LibC.isatty(STDIN) != 1) {
            return Optional.empty();
        }
        Terminal terminal;
        try {
            // The exec provider (stty) changes only the flags we change. JLine 3.26's JNI
            // provider rewrites the whole termios and loses the line speed (CBAUD), so the
            // terminal would come back at 0 baud.
            // Raw mode is about the tty, not the terminal type: with TERM=dumb (or unset) on a
            // real tty, JLine would hand out a dumb terminal and the console would stay cooked,
            // so the guest's line editing and Ctrl-A x would not work.
            String term = System.getenv("TERM");
            boolean dumbType = term == null || term.isBlank() || term.startsWith(Terminal.TYPE_DUMB);
            terminal = TerminalBuilder.builder()
                    .name("jvmm")
                    .system(true)
                    .provider("exec")
                    .type(dumbType ? "vt100" : term)
                    .dumb(false)
                    .build();
        } catch (IllegalStateException e) {
            return Optional.empty(); // JLine: "Unable to create a terminal" - stdin is not a tty
        }
        String type = terminal.getType();
        if (Terminal.TYPE_DUMB.equals(type) || Terminal.TYPE_DUMB_COLOR.equals(type)) {
            terminal.close();
            return Optional.empty();
        }
        try {
            return Optional.of(new RawTerminal(terminal));
        } catch (RuntimeException e) {
            terminal.close();
            throw e;
        }
    }

    /** The keyboard bytes, unprocessed. */
    public InputStream input() {
        return terminal.input();
    }

    /** Restores the modes the terminal had before. Idempotent; safe from a shutdown hook. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            terminal.setAttributes(original);
        } finally {
            try {
                terminal.close();
            } catch (IOException | RuntimeException e) {
                // The modes are back; failing to release JLine's resources is harmless at exit.
            }
        }
    }
}
