package io.jvmm.vm;

/** The VM could not be built or failed while running. The message is shown to the user as one line. */
public class VmException extends Exception {
    public VmException(String message) {
        super(message);
    }

    public VmException(String message, Throwable cause) {
        super(message, cause);
    }
}
