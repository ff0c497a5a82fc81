package io.jvmm.api;

/** The API socket cannot be set up: one line saying why and what to do. */
public final class ApiSocketException extends Exception {
    private static final long serialVersionUID = 1L;

    public ApiSocketException(String message) {
        super(message);
    }
}
