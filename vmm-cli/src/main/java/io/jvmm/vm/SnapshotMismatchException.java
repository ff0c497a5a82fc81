package io.jvmm.vm;

/**
 * A snapshot that passed its own checks no longer fits what the host has when the VM is
 * rebuilt from it: a device's image is gone or resized, a device's saved state is refused.
 * Nothing has run. {@code jvmm restore} ends with the bad-snapshot exit code for it.
 */
public final class SnapshotMismatchException extends VmException {
    public SnapshotMismatchException(String message, Throwable cause) {
        super(message, cause);
    }

    public SnapshotMismatchException(String message) {
        super(message);
    }
}
