package io.jvmm.console;

import io.jvmm.vm.SerialConsole;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * Guest serial output into a file, truncated when the VM starts. Buffered, but flushed at
 * every newline so {@code tail -f} follows the boot. No input: the guest sees a silent line.
 */
public final class FileConsole implements SerialConsole {
    private final Path path;
    private final OutputStream output;
    private boolean closed;

    private FileConsole(Path path, OutputStream file) {
        this.path = path;
        this.output = new LineFlushing(file);
    }

    /** Creates or truncates {@code path}. */
    public static FileConsole open(Path path) throws IOException {
        return new FileConsole(path, Files.newOutputStream(path, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
    }

    public Path path() {
        return path;
    }

    @Override
    public OutputStream output() {
        return output;
    }

    @Override
    public void attachInput(Consumer<byte[]> guestInput) {
        // A file has no keyboard.
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            output.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing serial log " + path, e);
        }
    }

    /** Flushes after each line; the VMM writes a byte at a time, as the UART sends them. */
    private static final class LineFlushing extends BufferedOutputStream {
        LineFlushing(OutputStream out) {
            super(out, 8192);
        }

        @Override
        public synchronized void write(int b) throws IOException {
            super.write(b);
            if (b == '\n') {
                flush();
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            super.write(b, off, len);
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    flush();
                    return;
                }
            }
        }
    }
}
