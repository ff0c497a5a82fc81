package io.jvmm.virtio.console;

import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceConfigException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * A {@code virtio-console} device's settings, read from its {@code [[device]]} table.
 *
 * <pre>
 * [[device]]
 * type = "virtio-console"
 * output = "file"        # "stdio" (default), "file" or "socket" (a unix socket jvmm listens on)
 * path = "hvc0.log"      # the file or socket; required for file and socket
 * cols = 120             # optional fixed size (VIRTIO_CONSOLE_F_SIZE); both or neither.
 * rows = 40              # On stdio the terminal's size is used and followed.
 * </pre>
 *
 * @param output where port 0 goes
 * @param path   the file or socket, empty for stdio
 * @param size   a fixed console size, if configured
 */
record ConsoleConfig(Output output, Optional<Path> path, Optional<ConsoleSize> size) {
    enum Output { STDIO, FILE, SOCKET }

    static ConsoleConfig from(DeviceConfig config) {
        String outputText = config.string("output").orElse("stdio");
        Optional<Path> path = config.path("path");
        Optional<Long> cols = config.integer("cols");
        Optional<Long> rows = config.integer("rows");
        Output output;
        try {
            output = Output.valueOf(outputText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new DeviceConfigException("output", "= \"" + outputText + "\": expected \"stdio\", \"file\" or \"socket\"");
        }
        if (output != Output.STDIO && path.isEmpty()) {
            throw new DeviceConfigException("path", "is required with output = \"" + outputText + "\" (the "
                    + (output == Output.FILE ? "file to write" : "unix socket to listen on") + ")");
        }
        if (output == Output.STDIO && path.isPresent()) {
            throw new DeviceConfigException("path", "goes with output = \"file\" or \"socket\", not \"stdio\"");
        }
        if (cols.isPresent() != rows.isPresent()) {
            throw new DeviceConfigException(cols.isPresent() ? "rows" : "cols", "is required when "
                    + (cols.isPresent() ? "cols" : "rows") + " is given (a console size has both)");
        }
        Optional<ConsoleSize> size = Optional.empty();
        if (cols.isPresent()) {
            check("cols", cols.get());
            check("rows", rows.get());
            size = Optional.of(new ConsoleSize(cols.get().intValue(), rows.get().intValue()));
        }
        return new ConsoleConfig(output, path, size);
    }

    private static void check(String key, long v) {
        if (v < 1 || v > ConsoleSize.MAX) {
            throw new DeviceConfigException(key, "= " + v + ": expected 1 to " + ConsoleSize.MAX);
        }
    }
}
