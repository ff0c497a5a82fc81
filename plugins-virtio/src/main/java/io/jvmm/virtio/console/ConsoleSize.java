package io.jvmm.virtio.console;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import java.util.Optional;

/**
 * A console's size in character cells, as virtio-console reports it with VIRTIO_CONSOLE_F_SIZE
 * (virtio 1.2, 5.3.4).
 */
record ConsoleSize(int cols, int rows) {
    static final int MAX = 0xffff;

    ConsoleSize {
        if (cols < 1 || cols > MAX || rows < 1 || rows > MAX) {
            throw new IllegalArgumentException("console size " + cols + "x" + rows + " out of range");
        }
    }

    /** The size of the terminal on {@code fd} (TIOCGWINSZ), or empty when it is not a terminal. */
    static Optional<ConsoleSize> ofTerminal(int fd) {
        if (LibC.isatty(fd) != 1) {
            return Optional.empty();
        }
        try (Memory ws = new Memory(8)) {
            LibC.ioctl(fd, new NativeLong(LibC.TIOCGWINSZ), ws);
            int rows = ws.getShort(0) & 0xffff;
            int cols = ws.getShort(2) & 0xffff;
            return rows > 0 && cols > 0 ? Optional.of(new ConsoleSize(cols, rows)) : Optional.empty();
        } catch (LastErrorException e) {
            return Optional.empty();
        }
    }
}
