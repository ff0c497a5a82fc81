package io.jvmm.control;

import io.jvmm.snapshot.SnapshotException;
import io.jvmm.snapshot.SnapshotProgress;
import io.jvmm.vm.VmException;
import io.jvmm.vm.VmExit;
import java.nio.file.Path;

/**
 * Writes a snapshot to {@code dir}: pauses a running VM first, then does what {@code after}
 * says. Whatever goes wrong (an {@link OutOfMemoryError} while writing too), a VM this
 * operation paused does not stay paused, unless {@code after} is {@link After#PAUSE}.
 */
public record TakeSnapshot(Path dir, After after, SnapshotProgress progress) implements Operation<TakeSnapshot.Taken> {
    /** What the VM does once the snapshot is written. */
    public enum After {
        /** End the VM ({@link VmExit#SNAPSHOT_THEN_EXIT}). */
        EXIT,
        /** Go back to the state it was in: running if it ran, paused if it was paused. */
        CONTINUE,
        /** Stay paused. */
        PAUSE
    }

    /** The snapshot written, how long it took, and the VM's state afterwards. */
    public record Taken(Path dir, long millis, VmControl.State state) {
    }

    public TakeSnapshot {
        if (dir == null) {
            throw new IllegalArgumentException("a snapshot needs a directory");
        }
        after = after == null ? After.CONTINUE : after;
        progress = progress == null ? (phase, done, total) -> { } : progress;
    }

    @Override
    public Taken apply(VmControl vm) throws VmException, SnapshotException {
        boolean wasRunning = vm.state() == VmControl.State.RUNNING;
        if (wasRunning) {
            vm.pause();
        }
        long start = System.nanoTime();
        try {
            vm.snapshot(dir, progress);
        } catch (VmException | SnapshotException | RuntimeException | Error e) {
            if (wasRunning && after != After.PAUSE) {
                resumeQuietly(vm, e);
            }
            throw e;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        switch (after) {
            case EXIT -> vm.stop(VmExit.SNAPSHOT_THEN_EXIT);
            case CONTINUE -> {
                if (wasRunning) {
                    vm.resume();
                }
            }
            case PAUSE -> { }
        }
        return new Taken(dir, millis, vm.state());
    }

    private static void resumeQuietly(VmControl vm, Throwable cause) {
        try {
            vm.resume();
        } catch (VmException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
