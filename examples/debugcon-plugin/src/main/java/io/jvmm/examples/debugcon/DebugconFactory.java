package io.jvmm.examples.debugcon;

import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceConfigException;
import io.jvmm.spi.DeviceContext;
import io.jvmm.spi.DeviceException;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.spi.SpiVersion;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Device type {@code debugcon}: the Bochs/QEMU debug console, a one-byte I/O port that
 * firmware and kernels write characters to ({@code earlyprintk} is not needed: a guest
 * just does {@code outb(c, 0xe9)}).
 *
 * <pre>
 * [[device]]
 * type = "debugcon"
 * port = "0xE9"          # optional; an integer, or hex in a string; default 0xE9
 * path = "debugcon.log"  # optional; appended to. Without it, lines go to the log (info).
 * </pre>
 *
 * <p>Written against the jvmm SPI alone, as any third-party plugin would be.
 */
public final class DebugconFactory implements DeviceFactory {
    /** The Bochs debug port. */
    public static final int DEFAULT_PORT = 0xE9;

    @Override
    public String type() {
        return "debugcon";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public String description() {
        return "Bochs/QEMU debug console: bytes written to an I/O port (default 0xE9) go to a file or the log";
    }

    @Override
    public Device create(DeviceConfig config, DeviceContext context) throws DeviceException {
        // Read every key first, so the VMM's unknown-key check sees them all.
        long port = config.integer("port").orElse((long) DEFAULT_PORT);
        if (port < 0 || port > 0xFFFF) {
            throw new DeviceConfigException("port", "= " + port + ": expected an I/O port from 0 to 0xFFFF");
        }
        Path path = config.path("path").orElse(null);
        return new DebugconDevice(config.id(), (int) port, path == null ? null : open(path));
    }

    private static OutputStream open(Path path) throws DeviceException {
        try {
            return Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new DeviceException("debugcon: cannot open " + path + " for appending: " + e.getMessage()
                    + " (check the directory exists and is writable)", e);
        }
    }
}
