package io.jvmm.snapshot;

/** Progress of a long snapshot step (guest memory), reported from the thread doing it. */
@FunctionalInterface
public interface SnapshotProgress {
    SnapshotProgress NONE = (phase, done, total) -> { };

    /** {@code done} of {@code total} bytes of {@code phase} (e.g. "memory") are finished. */
    void update(String phase, long done, long total);
}
