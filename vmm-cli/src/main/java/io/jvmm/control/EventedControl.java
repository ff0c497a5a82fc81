package io.jvmm.control;

import io.jvmm.snapshot.SnapshotException;
import io.jvmm.snapshot.SnapshotProgress;
import io.jvmm.spi.DeviceCommand;
import io.jvmm.vm.VmException;
import io.jvmm.vm.VmExit;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link VmControl} that tells {@link VmEvents} about every change it makes: state changes,
 * snapshot start, progress (every 10 %) and end, shutdown requests. Whoever drives the VM through
 * it (the API, a signal) is seen on the event stream.
 */
public final class EventedControl implements VmControl {
    private final VmControl vm;
    private final VmEvents events;

    public EventedControl(VmControl vm, VmEvents events) {
        this.vm = vm;
        this.events = events;
    }

    public VmEvents events() {
        return events;
    }

    @Override
    public State state() {
        return vm.state();
    }

    @Override
    public void pause() throws VmException {
        vm.pause();
        stateChanged();
    }

    @Override
    public void resume() throws VmException {
        vm.resume();
        stateChanged();
    }

    private void stateChanged() {
        events.publish("state", "state", vm.state().name());
    }

    @Override
    public void snapshot(Path dir, SnapshotProgress progress) throws VmException, SnapshotException {
        events.publish("snapshot-started", "dir", dir.toString());
        int[] lastTenth = {-1};
        SnapshotProgress both = (phase, done, total) -> {
            progress.update(phase, done, total);
            if (total > 0) {
                int pct = (int) (done * 100 / total);
                if (pct / 10 != lastTenth[0]) {
                    lastTenth[0] = pct / 10;
                    events.publish("snapshot-progress", "phase", phase, "percent", pct);
                }
            }
        };
        try {
            vm.snapshot(dir, both);
        } catch (VmException | SnapshotException | RuntimeException | Error e) {
            events.publish("snapshot-failed", "dir", dir.toString(), "error", String.valueOf(e.getMessage()));
            throw e;
        }
        events.publish("snapshot-done", "dir", dir.toString());
    }

    @Override
    public void requestShutdown(boolean force) {
        events.publish("shutdown-requested", "force", force);
        vm.requestShutdown(force);
    }

    @Override
    public void stop(VmExit reason) {
        vm.stop(reason);
    }

    @Override
    public Info info() {
        return vm.info();
    }

    @Override
    public List<DeviceCommand> deviceCommands(String deviceId) throws VmException {
        return vm.deviceCommands(deviceId);
    }

    @Override
    public String runDeviceCommand(String deviceId, String command, List<String> arguments) throws VmException {
        String out = vm.runDeviceCommand(deviceId, command, arguments);
        events.publish("device-command", "device", deviceId, "command", command);
        return out;
    }
}
