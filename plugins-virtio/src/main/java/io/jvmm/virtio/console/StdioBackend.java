package io.jvmm.virtio.console;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * Port 0 on jvmm's own standard output and input. The terminal is left in whatever mode it is
 * in (line-buffered unless something else made it raw), and its size is the console's size.
 * Do not also put the serial console on stdio: both would read the same keyboard.
 */
final class StdioBackend implements ConsoleBackend {
    private static final int STDOUT = 1;
    private final OutputStream out;
    private final InputStream in;
    private final InputBuffer input;

    StdioBackend(InputBuffer input) {
        this(new FileOutputStream(FileDescriptor.out), new FileInputStream(FileDescriptor.in), input);
    }

    StdioBackend(OutputStream out, InputStream in, InputBuffer input) {
        this.out = out;
        this.in = in;
        this.input = input;
    }

    @Override
    public synchronized void write(byte[] data, int offset, int length) throws IOException {
        out.write(data, offset, length);
        out.flush();
    }

    @Override
    public Optional<ConsoleSize> size() {
        return ConsoleSize.ofTerminal(STDOUT);
    }

    @Override
    public void start(ThreadStarter threads) {
        threads.start("console-stdin", () -> {
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (!input.put(buf, 0, n)) {
                        return;
                    }
                }
            } catch (IOException e) {
                // stdin closed or unreadable: the guest just gets no more input.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Override
    public void close() {
        // jvmm's stdio is not ours to close.
    }

    @Override
    public String toString() {
        return "stdio";
    }
}
