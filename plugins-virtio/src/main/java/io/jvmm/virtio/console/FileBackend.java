package io.jvmm.virtio.console;

import io.jvmm.spi.DeviceException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Port 0's output into a file, created or truncated when the VM starts (as the serial console's
 * file mode does), appended to when a VM is restored from a snapshot. Every write goes straight to the file, so {@code tail -f} follows the
 * guest and nothing is lost if jvmm dies. No input.
 */
final class FileBackend implements ConsoleBackend {
    private final Path path;
    private final FileChannel file;

    private FileBackend(Path path, FileChannel file) {
        this.path = path;
        this.file = file;
    }

    static FileBackend open(Path path) throws DeviceException {
        return open(path, false);
    }

    /** @param append keep what the file holds and write after it (a restored VM continues its log) */
    static FileBackend open(Path path, boolean append) throws DeviceException {
        try {
            return new FileBackend(path, FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING));
        } catch (IOException e) {
            throw new DeviceException("virtio-console: cannot open " + path + " for writing: " + e.getMessage()
                    + " (check the directory exists and is writable)", e);
        }
    }

    @Override
    public synchronized void write(byte[] data, int offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data, offset, length);
        while (b.hasRemaining()) {
            file.write(b);
        }
    }

    @Override
    public void start(ThreadStarter threads) {
        // A file has no keyboard.
    }

    @Override
    public synchronized void close() {
        try {
            file.close();
        } catch (IOException ignored) {
            // Every write already reached the file.
        }
    }

    @Override
    public String toString() {
        return "file " + path;
    }
}
