package io.jvmm.virtio.console;

import java.io.IOException;
import java.util.Optional;

/**
 * Where port 0 of a virtio console is connected on the host: the guest's output goes to
 * {@link #write}, host input is pushed into the {@link InputBuffer} given at construction.
 * Backends live as long as the device, across driver resets.
 */
sealed interface ConsoleBackend extends AutoCloseable permits StdioBackend, FileBackend, SocketBackend {
    /** Writes guest output; may block (a slow socket client) but never throws for the guest's sake. */
    void write(byte[] data, int offset, int length) throws IOException;

    /** The current terminal size when the backend has one (stdio on a terminal). */
    default Optional<ConsoleSize> size() {
        return Optional.empty();
    }

    /** Starts the host-side threads (input readers, socket acceptor). */
    void start(ThreadStarter threads);

    @Override
    void close();

    /** Starts a named daemon thread (the VMM's {@code DeviceContext.startWorker} in production). */
    @FunctionalInterface
    interface ThreadStarter {
        Thread start(String name, Runnable body);
    }
}
