package io.jvmm.snapshot;

/** A snapshot that cannot be written, read or used; the message is one line for the user. */
public final class SnapshotException extends Exception {
    public SnapshotException(String message) {
        super(message);
    }

    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
