package io.jvmm.console;

import io.jvmm.vm.SerialConsole;
import java.io.OutputStream;
import java.util.function.Consumer;

/** Serial output discarded, no input: {@code mode = "off"}. */
public final class NullConsole implements SerialConsole {
    private final OutputStream output = OutputStream.nullOutputStream();

    @Override
    public OutputStream output() {
        return output;
    }

    @Override
    public void attachInput(Consumer<byte[]> guestInput) {
        // Nothing to read.
    }

    @Override
    public void close() {
        // Nothing held.
    }
}
