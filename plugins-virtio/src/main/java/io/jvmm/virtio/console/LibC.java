package io.jvmm.virtio.console;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/** The libc calls the console needs to size itself after the terminal (x86-64 Linux), by JNA direct mapping. */
final class LibC {
    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    /** asm-generic/ioctls.h. */
    static final long TIOCGWINSZ = 0x5413;

    static native int isatty(int fd);

    static native int ioctl(int fd, NativeLong request, Pointer arg) throws LastErrorException;
}
