package io.jvmm.console;

import io.jvmm.vm.SerialConsole;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guest's serial port on the host's stdin/stdout.
 *
 * <p>When stdin is a terminal it is put in raw mode once the guest starts
 * ({@link #attachInput}), so the guest's shell gets every key (Ctrl-C included); the
 * escape Ctrl-A x ends the VM (see {@link EscapeFilter}). The original modes come back on
 * {@link #close()}, and from a shutdown hook if jvmm is killed or exits some other way.
 *
 * <p>When stdin is not a terminal (a pipe, a file, /dev/null) its bytes go to the guest as
 * they are, no escape is recognised and no terminal mode is touched; end of input just
 * stops the forwarding.
 */
public final class StdioConsole implements SerialConsole {
    private static final Logger LOG = LoggerFactory.getLogger(StdioConsole.class);
    static final String ESCAPE_HINT = "jvmm: console escape is Ctrl-A x (Ctrl-A h for help)";

    private final OutputStream output;
    private final InputStream stdin;
    private final PrintStream notices;
    private final boolean useTerminal;
    private volatile Runnable onQuit = () -> { };
    private RawTerminal terminal;
    private Thread restoreHook;
    private Thread reader;
    private boolean closed;

    /** A console on the process's stdin, stdout and (for notices) stderr. */
    public StdioConsole() {
        this(System.in, new FileOutputStream(FileDescriptor.out), System.err, true);
    }

    /** With {@code useTerminal} false, stdin is never treated as a terminal (tests). */
    StdioConsole(InputStream stdin, OutputStream stdout, PrintStream notices, boolean useTerminal) {
        this.stdin = stdin;
        this.useTerminal = useTerminal;
        this.notices = notices;
        // Unbuffered: every byte the guest sends shows at once, as on a real serial line.
        this.output = new FilterOutputStream(stdout) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush(); // stdout stays open for jvmm's own messages
            }
        };
    }

    @Override
    public OutputStream output() {
        return output;
    }

    @Override
    public void onQuit(Runnable stopVm) {
        this.onQuit = stopVm;
    }

    @Override
    public synchronized void attachInput(Consumer<byte[]> guestInput) {
        if (reader != null || closed) {
            throw new IllegalStateException("serial input already attached or console closed");
        }
        Optional<RawTerminal> raw;
        try {
            raw = useTerminal ? RawTerminal.open() : Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot set up the terminal, reading stdin as is: {}", e.toString());
            raw = Optional.empty();
        }
        Pump pump;
        if (raw.isPresent()) {
            terminal = raw.get();
            restoreHook = new Thread(terminal::close, "jvmm-terminal-restore");
            Runtime.getRuntime().addShutdownHook(restoreHook);
            notices.print(ESCAPE_HINT + "\r\n");
            notices.flush();
            EscapeFilter filter = new EscapeFilter(guestInput, this::quit, () -> notice(
                    "jvmm: Ctrl-A x quit (stops the VM), Ctrl-A Ctrl-A send Ctrl-A, Ctrl-A h this help"));
            pump = new Pump(terminal.input(), filter::accept);
        } else {
            pump = new Pump(stdin, (data, length) -> {
                byte[] copy = new byte[length];
                System.arraycopy(data, 0, copy, 0, length);
                guestInput.accept(copy);
                return true;
            });
        }
        reader = new Thread(pump, "serial-input");
        reader.setDaemon(true);
        reader.start();
    }

    /** Whether the keyboard is in raw mode right now (stdin is a terminal and the guest runs). */
    public synchronized boolean isRaw() {
        return terminal != null && !closed;
    }

    private void quit() {
        notice("jvmm: quit from the console (Ctrl-A x), stopping the VM");
        onQuit.run();
    }

    private void notice(String line) {
        // In raw mode a bare \n would not return the carriage on every terminal: be explicit.
        notices.print("\r\n" + line + "\r\n");
        notices.flush();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            output.flush();
        } catch (IOException e) {
            LOG.debug("flushing stdout", e);
        }
        if (terminal != null) {
            terminal.close();
            try {
                Runtime.getRuntime().removeShutdownHook(restoreHook);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook runs and finds the terminal restored.
            }
        }
    }

    /** A consumer of a chunk of input; returns false to stop reading. */
    private interface Chunk {
        boolean accept(byte[] data, int length);
    }

    /** Copies input to the guest until end of input, an error, or quit. */
    private final class Pump implements Runnable {
        private final InputStream in;
        private final Chunk sink;

        Pump(InputStream in, Chunk sink) {
            this.in = in;
            this.sink = sink;
        }

        @Override
        public void run() {
            byte[] buf = new byte[256];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (n > 0 && !sink.accept(buf, n)) {
                        return;
                    }
                }
                LOG.debug("end of console input");
            } catch (IOException | RuntimeException e) {
                synchronized (StdioConsole.this) {
                    if (closed) {
                        return; // the terminal was closed under us
                    }
                }
                LOG.warn("console input stopped: {}", e.toString());
            }
        }
    }
}
