package io.jvmm.boot;

/**
 * The guest cannot be booted with the given kernel, initramfs, command line or memory size.
 * The message is one line meant for the user (it names the file or the limit at fault).
 */
public class BootException extends Exception {
    public BootException(String message) {
        super(message);
    }

    public BootException(String message, Throwable cause) {
        super(message, cause);
    }
}
