package io.jvmm.seccomp;

import java.util.Locale;

/** {@code --seccomp}: what happens to a system call outside a thread's list. */
public enum SeccompMode {
    /** No filter. */
    OFF,
    /** Allowed, and the kernel logs it (audit type=1326): for finding what a list lacks. */
    LOG,
    /** Refused with EPERM. Not killed: the JVM turns EPERM into an exception, a kill would lose the VM's state. */
    ON;

    public static SeccompMode parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected off, log or on");
        }
    }
}
