package io.jvmm.console;

import java.io.ByteArrayOutputStream;
import java.util.function.Consumer;

/**
 * Splits terminal input into bytes for the guest and console commands, like QEMU's
 * {@code -nographic}: Ctrl-A is the escape key; Ctrl-A x quits, Ctrl-A h prints help,
 * Ctrl-A Ctrl-A sends one Ctrl-A to the guest, and Ctrl-A followed by anything else sends
 * both bytes. The escape state carries over between reads.
 */
final class EscapeFilter {
    static final byte CTRL_A = 0x01;

    private final Consumer<byte[]> guest;
    private final Runnable quit;
    private final Runnable help;
    private boolean escaped;
    private boolean quitting;

    EscapeFilter(Consumer<byte[]> guest, Runnable quit, Runnable help) {
        this.guest = guest;
        this.quit = quit;
        this.help = help;
    }

    /** Handles {@code data[0..length)}; returns false once quit was asked for (the rest is dropped). */
    boolean accept(byte[] data, int length) {
        ByteArrayOutputStream forward = new ByteArrayOutputStream(length + 1);
        for (int i = 0; i < length && !quitting; i++) {
            byte b = data[i];
            if (!escaped) {
                if (b == CTRL_A) {
                    escaped = true;
                } else {
                    forward.write(b);
                }
                continue;
            }
            escaped = false;
            switch (b) {
                case 'x', 'X' -> quitting = true;
                case 'h', 'H', '?' -> {
                    flush(forward);
                    help.run();
                }
                case CTRL_A -> forward.write(CTRL_A);
                default -> {
                    forward.write(CTRL_A);
                    forward.write(b);
                }
            }
        }
        flush(forward);
        if (quitting) {
            quit.run();
        }
        return !quitting;
    }

    private void flush(ByteArrayOutputStream forward) {
        if (forward.size() > 0) {
            guest.accept(forward.toByteArray());
            forward.reset();
        }
    }
}
