package io.jvmm.api;

/** A request that fails with an HTTP status and one sentence for the client. */
final class ApiError extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    ApiError(int status, String message) {
        super(message);
        this.status = status;
    }
}
