package io.jvmm.devices.legacy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where a UART's transmitted bytes go: a host stream, flushed at each newline and on request.
 * The first failed write or flush is logged and ends the output; the guest never sees it (a
 * real UART's line has no way to say the far end is gone).
 */
final class UartOutput {
    private static final Logger log = LoggerFactory.getLogger(UartOutput.class);

    private final String id;
    private final OutputStream sink;
    private boolean failed;

    UartOutput(String id, OutputStream sink) {
        this.id = id;
        this.sink = sink;
    }

    void write(int value) {
        if (failed) {
            return;
        }
        try {
            sink.write(value);
            if (value == '\n') {
                sink.flush();
            }
        } catch (IOException e) {
            fail(e);
        }
    }

    void flush() {
        if (failed) {
            return;
        }
        try {
            sink.flush();
        } catch (IOException e) {
            fail(e);
        }
    }

    private void fail(IOException e) {
        failed = true;
        log.warn("{}: console output failed, dropping further output: {}", id, e.toString());
    }
}
