package io.jvmm.kvm;

import com.sun.jna.LastErrorException;

public final class Fds {
    private Fds() {
    }

    public static void closeQuietly(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            LibC.close(fd);
        } catch (LastErrorException ignored) {
            // Nothing useful to do when close fails at teardown.
        }
    }
}
