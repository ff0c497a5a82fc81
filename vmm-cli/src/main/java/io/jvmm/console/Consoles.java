package io.jvmm.console;

import io.jvmm.config.SerialSection;
import io.jvmm.vm.SerialConsole;
import java.io.IOException;

/** Picks the console for a [serial] setting. */
public final class Consoles {
    private Consoles() {
    }

    /**
     * Opens the console {@code serial} asks for. File mode creates or truncates the file now,
     * so a path that cannot be written fails before the VM is built.
     */
    public static SerialConsole open(SerialSection serial) throws IOException {
        return switch (serial.mode()) {
            case STDIO -> new StdioConsole();
            case FILE -> FileConsole.open(serial.path().orElseThrow());
            case OFF -> new NullConsole();
        };
    }
}
