package io.jvmm.vfio.backend;

/** A backend failure whose message tells the user what happened and what to do. */
public class BackendException extends RuntimeException {
    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
