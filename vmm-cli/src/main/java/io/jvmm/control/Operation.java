package io.jvmm.control;

import io.jvmm.snapshot.SnapshotException;
import io.jvmm.vm.VmException;

/**
 * One thing a user can do to a running VM, whoever asks: the shell, the API socket (and so the
 * {@code jvmm pause|resume|...} clients), or a signal. Each is a small value naming its
 * arguments; {@link #apply} does it on a {@link VmControl} and returns what the caller shows.
 *
 * @param <R> what the operation answers
 */
public sealed interface Operation<R>
        permits Pause, Resume, TakeSnapshot, Shutdown, Describe, ListDeviceCommands, RunDeviceCommand {
    R apply(VmControl vm) throws VmException, SnapshotException;
}
