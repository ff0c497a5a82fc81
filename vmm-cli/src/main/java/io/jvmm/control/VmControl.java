package io.jvmm.control;

import io.jvmm.snapshot.SnapshotException;
import io.jvmm.snapshot.SnapshotProgress;

import io.jvmm.spi.DeviceCommand;
import io.jvmm.spi.DeviceCommandException;
import io.jvmm.spi.DeviceCommands;
import io.jvmm.vm.VmException;
import io.jvmm.vm.VmExit;
import java.nio.file.Path;
import java.util.List;

/**
 * Controls a running VM from any thread (the shell, a signal handler, the API socket) while
 * {@code Vm.run()} blocks in another. Methods are serialized; each returns when done. Callers
 * go through the {@link Operation}s of this package, so that every way of driving a VM means the
 * same thing by "pause" or "snapshot".
 */
public interface VmControl {
    /** The life cycle: CREATED until run(), then RUNNING and PAUSED, STOPPED at the end. */
    enum State { CREATED, RUNNING, PAUSED, STOPPED }

    /** A device as the user sees it, with the names of the commands it offers ({@link DeviceCommands}). */
    record DeviceInfo(String id, String type, boolean snapshottable, List<String> commands) {
        public DeviceInfo {
            commands = List.copyOf(commands);
        }

        public DeviceInfo(String id, String type, boolean snapshottable) {
            this(id, type, snapshottable, List.of());
        }
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

    /** Ends the VM at once; {@code Vm.run()} returns {@code reason}. */
    void stop(VmExit reason);

    Info info();

    /**
     * The commands device {@code deviceId} offers (empty when it offers none).
     *
     * @throws VmException when the VM has no such device
     */
    List<DeviceCommand> deviceCommands(String deviceId) throws VmException;

    /**
     * Runs {@code command} of device {@code deviceId} with {@code arguments} on this thread and
     * returns what it printed.
     *
     * @throws VmException naming the device and command, for an unknown device or command, a
     *         stopped VM, arguments the command refused, or a command that failed
     */
    default String runDeviceCommand(String deviceId, String command, List<String> arguments) throws VmException {
        if (state() == State.STOPPED) {
            throw new VmException("the VM has stopped");
        }
        List<DeviceCommand> commands = deviceCommands(deviceId);
        DeviceCommand c = commands.stream().filter(d -> d.name().equals(command)).findFirst()
                .orElseThrow(() -> new VmException("device '" + deviceId + "' has no command '" + command + "' ("
                        + (commands.isEmpty() ? "it offers none" : "it offers: " + String.join(", ",
                        commands.stream().map(DeviceCommand::name).toList())) + ")"));
        try {
            return c.action().run(List.copyOf(arguments));
        } catch (DeviceCommandException e) {
            throw new VmException(deviceId + " " + command + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new VmException(deviceId + " " + command + " failed: " + e, e);
        }
    }
}
