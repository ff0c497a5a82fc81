package io.jvmm.api;

import java.io.IOException;

/** The VM answered with an error: its HTTP status and sentence. */
public final class ApiClientException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public ApiClientException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
