package io.jvmm.examples.debugcon;

import io.jvmm.spi.BusRegion;
import io.jvmm.spi.PlatformDevice;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The debug console port. A write appends the low byte to the output (the port is 8 bits
 * wide, as in Bochs and QEMU's isa-debugcon); a read answers 0xE9, the value Bochs returns
 * so a guest can detect the port.
 */
final class DebugconDevice implements PlatformDevice {
    private static final Logger LOG = LoggerFactory.getLogger(DebugconDevice.class);
    /** What a read returns: Bochs' "port e9 hack" detection value. */
    static final byte READBACK = (byte) 0xE9;

    private final String id;
    private final int port;
    /** The file, or null to log lines. */
    private final OutputStream file;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean failed;

    DebugconDevice(String id, int port, OutputStream file) {
        this.id = id;
        this.port = port;
        this.file = file;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public List<BusRegion> regions() {
        return List.of(new BusRegion(BusRegion.AddressSpace.PIO, port, 1));
    }

    @Override
    public void read(long offset, byte[] data) {
        Arrays.fill(data, (byte) 0);
        if (data.length > 0) {
            data[0] = READBACK;
        }
    }

    @Override
    public synchronized void write(long offset, byte[] data) {
        if (data.length == 0 || offset != 0) {
            return;
        }
        byte b = data[0];
        if (file == null) {
            logByte(b);
            return;
        }
        if (failed) {
            return;
        }
        try {
            // Unbuffered: a debug port is slow anyway, and nothing is lost if the guest dies.
            file.write(b);
        } catch (IOException e) {
            failed = true; // never throw at the guest; say it once
            LOG.warn("{}: writing the debug console file failed, dropping further output: {}", id, e.toString());
        }
    }

    private void logByte(byte b) {
        if (b == '\n') {
            flushLine();
        } else if (b != '\r') {
            line.write(b);
            if (line.size() >= 4096) {
                flushLine();
            }
        }
    }

    private void flushLine() {
        LOG.info("{}: {}", id, line.toString(StandardCharsets.UTF_8));
        line.reset();
    }

    @Override
    public synchronized void close() {
        if (file == null) {
            if (line.size() > 0) {
                flushLine();
            }
            return;
        }
        try {
            file.close();
        } catch (IOException e) {
            LOG.warn("{}: closing the debug console file: {}", id, e.toString());
        }
    }
}
