package io.jvmm.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The [serial] table: where the guest's first serial port (ttyS0) goes.
 *
 * @param mode where the output goes
 * @param path the output file, present exactly when {@code mode} is {@link Mode#FILE}
 */
public record SerialSection(Mode mode, Optional<Path> path) {
    public enum Mode {
        /** The host terminal: output to stdout, keyboard input to the guest. */
        STDIO,
        /** Output to a file; no input. */
        FILE,
        /** Output discarded; no input. */
        OFF;

        /** The name used in the config and on the command line. */
        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static final SerialSection STDIO = new SerialSection(Mode.STDIO, Optional.empty());
    public static final SerialSection OFF = new SerialSection(Mode.OFF, Optional.empty());

    public SerialSection {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(path, "path");
        if ((mode == Mode.FILE) != path.isPresent()) {
            throw new IllegalArgumentException("a serial path goes with file mode only");
        }
    }

    public static SerialSection file(Path path) {
        return new SerialSection(Mode.FILE, Optional.of(path));
    }
}
