package io.jvmm.spi;

/** A component whose state can be saved while the VM is paused and restored later. */
public interface Snapshottable {
    /** A stable id, unique within the VM. */
    String snapshotId();

    /** The component's state now. Called only while the VM is paused. */
    ComponentState saveState();

    /**
     * Replaces the component's state with {@code state}, which is untrusted.
     *
     * @throws StateException when the state is malformed or of a version this code cannot read
     */
    void restoreState(ComponentState state) throws StateException;

    /** Saved state that cannot be used. */
    final class StateException extends Exception {
        public StateException(String message) {
            super(message);
        }
    }
}
