package io.jvmm.shell;

import io.jvmm.vm.SerialConsole;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jline.utils.NonBlockingReader;

/**
 * The guest's serial port as the shell sees it: guest output always goes to a ring buffer of
 * the last {@value #CAPACITY} bytes and, only while the user is attached with {@code console},
 * to the terminal too. At the prompt nothing is printed (the guest's partial lines and escape
 * sequences would garble the line being edited); {@code log} shows the buffer, and
 * {@code console} first shows what arrived since the user last looked. Older output is
 * dropped once the buffer is full.
 *
 * <p>{@link #attach} connects the keyboard until an escape: Ctrl-] or Ctrl-A x return to the
 * shell and the VM keeps running; Ctrl-A Ctrl-A sends one Ctrl-A.
 */
final class ShellConsole implements SerialConsole {
    static final int CAPACITY = 64 * 1024;
    static final int CTRL_A = 0x01;
    static final int CTRL_RIGHT_BRACKET = 0x1d;

    /** Why {@link #attach} returned. */
    enum Detach { ESCAPE, VM_STOPPED, END_OF_INPUT }

    private final byte[] ring = new byte[CAPACITY];
    private long written;
    private long shown;
    private OutputStream live;
    private volatile Consumer<byte[]> guestInput = bytes -> { };
    private final OutputStream output = new OutputStream() {
        @Override
        public void write(int b) {
            append(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            append(b, off, len);
        }
    };

    @Override
    public OutputStream output() {
        return output;
    }

    @Override
    public void attachInput(Consumer<byte[]> input) {
        this.guestInput = input;
    }

    /** Sends {@code bytes} to the guest as if typed. */
    void send(byte[] bytes) {
        guestInput.accept(bytes);
    }

    private synchronized void append(byte[] b, int off, int len) {
        int skip = Math.max(0, len - CAPACITY);
        long pos = written + skip;
        for (int i = off + skip; i < off + len; ) {
            int at = (int) (pos % CAPACITY);
            int n = Math.min(off + len - i, CAPACITY - at);
            System.arraycopy(b, i, ring, at, n);
            i += n;
            pos += n;
        }
        written += len;
        if (live != null) {
            try {
                live.write(b, off, len);
                live.flush();
                shown = written;
            } catch (IOException e) {
                live = null;
            }
        }
    }

    /** Everything still in the buffer (at most the last {@value #CAPACITY} bytes). */
    synchronized byte[] buffered() {
        shown = written;
        return copyFrom(0);
    }

    /** What the guest printed since the user last saw its output (bounded by the buffer). */
    synchronized byte[] unseen() {
        byte[] b = copyFrom(shown);
        shown = written;
        return b;
    }

    /** Bytes the guest wrote in total, and how many of them no longer fit in the buffer. */
    synchronized long written() {
        return written;
    }

    synchronized long dropped() {
        return Math.max(0, written - CAPACITY);
    }

    private byte[] copyFrom(long from) {
        long first = Math.max(from, Math.max(0, written - CAPACITY));
        byte[] out = new byte[(int) (written - first)];
        for (int i = 0; i < out.length; i++) {
            out[i] = ring[(int) ((first + i) % CAPACITY)];
        }
        return out;
    }

    /**
     * Connects {@code keys} to the guest and the guest's output to {@code screen} (after what
     * the user has not seen yet) until Ctrl-] or Ctrl-A x, end of input, or the VM stops. The
     * caller puts the terminal in raw mode.
     */
    Detach attach(NonBlockingReader keys, OutputStream screen, BooleanSupplier vmAlive) throws IOException {
        synchronized (this) {
            screen.write(unseen());
            screen.flush();
            live = screen;
        }
        try {
            boolean escaped = false;
            while (true) {
                if (!vmAlive.getAsBoolean()) {
                    return Detach.VM_STOPPED;
                }
                int c = keys.read(100);
                if (c == NonBlockingReader.READ_EXPIRED) {
                    continue;
                }
                if (c < 0) {
                    return Detach.END_OF_INPUT;
                }
                if (escaped) {
                    escaped = false;
                    if (c == 'x' || c == 'X') {
                        return Detach.ESCAPE;
                    }
                    send(c == CTRL_A ? new byte[] {CTRL_A} : concat(CTRL_A, c));
                    continue;
                }
                if (c == CTRL_RIGHT_BRACKET) {
                    return Detach.ESCAPE;
                }
                if (c == CTRL_A) {
                    escaped = true;
                    continue;
                }
                send(String.valueOf((char) c).getBytes(StandardCharsets.UTF_8));
            }
        } finally {
            synchronized (this) {
                live = null;
            }
        }
    }

    private static byte[] concat(int first, int c) {
        byte[] rest = String.valueOf((char) c).getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[rest.length + 1];
        all[0] = (byte) first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    @Override
    public synchronized void close() {
        live = null;
    }
}
