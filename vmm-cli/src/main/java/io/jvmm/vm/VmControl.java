package io.jvmm.vm;

import io.jvmm.snapshot.SnapshotException;
import io.jvmm.snapshot.SnapshotProgress;

import java.nio.file.Path;
import java.util.List;

/**
 * Controls a running VM from any thread (a shell, a signal handler, a control pipe) while
 * {@link Vm#run()} blocks in another. Methods are serialized; each returns when done.
 */
public interface VmControl {
    /** The life cycle: CREATED until run(), then RUNNING and PAUSED, STOPPED at the end. */
    enum State { CREATED, RUNNING, PAUSED, STOPPED }

    /** A device as the user sees it. */
    record DeviceInfo(String id, String type, boolean snapshottable) {
    }

    /** What {@code info} shows. */
    record Info(String name, State state, int vcpus, long memoryBytes, List<DeviceInfo> devices) {
    }

    State state();

    /**
     * Stops every vCPU (each leaves KVM_RUN and waits), pauses devices that have workers, and
     * freezes the guest clock. Only from RUNNING.
     */
    void pause() throws VmException;

    /** Undoes {@link #pause()}: the guest clock continues where it stopped. Only from PAUSED. */
    void resume() throws VmException;

    /**
     * Writes a snapshot of the paused VM to {@code dir} (created if needed; files replaced
     * atomically). Refuses, writing nothing, when a device cannot be snapshotted.
     */
    void snapshot(Path dir, SnapshotProgress progress) throws VmException, SnapshotException;

    /** Asks the guest to power off (ACPI power button), or ends the VM at once when {@code force}. */
    void requestShutdown(boolean force);

    Info info();
}
