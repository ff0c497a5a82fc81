package io.jvmm.boot;

import io.jvmm.spi.GuestMemory;
import io.jvmm.vm.X86Layout;

import java.nio.charset.StandardCharsets;

/** Writes the kernel command line, NUL-terminated, at {@link X86Layout#CMDLINE}. */
final class CommandLine {
    private CommandLine() {
    }

    /**
     * @param maxLength longest command line the kernel accepts, without the NUL
     * @param limitName where that limit comes from, for the message
     * @return the address written
     */
    static long write(GuestMemory memory, String cmdline, long maxLength, String limitName) throws BootException {
        byte[] text = cmdline.getBytes(StandardCharsets.UTF_8);
        long max = Math.min(maxLength, X86Layout.CMDLINE_MAX - 1);
        if (text.length > max) {
            throw new BootException(String.format(
                    "kernel command line is %d bytes long; %s allows at most %d", text.length, limitName, max));
        }
        if (cmdline.indexOf('\0') >= 0) {
            throw new BootException("kernel command line contains a NUL character");
        }
        byte[] withNul = new byte[text.length + 1];
        System.arraycopy(text, 0, withNul, 0, text.length);
        memory.write(X86Layout.CMDLINE, withNul);
        return X86Layout.CMDLINE;
    }
}
