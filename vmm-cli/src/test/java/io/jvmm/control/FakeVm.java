package io.jvmm.control;

import io.jvmm.snapshot.SnapshotProgress;
import io.jvmm.spi.DeviceCommand;
import io.jvmm.spi.DeviceCommandException;
import io.jvmm.vm.VmException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A {@link VmControl} without KVM: keeps the state machine of the real VM and records calls. */
public final class FakeVm implements VmControl {
    public volatile State state = State.RUNNING;
    public final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
    /** What balloon0's commands act on, like a virtio-balloon's target. */
    public long balloonTargetMib;
    /** When set, snapshot throws it (a full disk, an OutOfMemoryError). */
    public volatile RuntimeException snapshotFailure;

    /** balloon0's commands: a plugin's runtime operations as DeviceCommands offers them. */
    private final List<DeviceCommand> balloonCommands = List.of(
            new DeviceCommand("target", "MIB", "set how much memory the guest should give back", args -> {
                if (args.size() != 1 || !args.get(0).matches("\\d{1,9}")) {
                    throw new DeviceCommandException("expected one size in MiB, e.g. 'target 128'");
                }
                balloonTargetMib = Long.parseLong(args.get(0));
                return "";
            }),
            new DeviceCommand("stats", "", "show the target", args -> "target " + balloonTargetMib + " MiB"));

    @Override
    public State state() {
        return state;
    }

    @Override
    public void pause() throws VmException {
        calls.add("pause");
        if (state != State.RUNNING) {
            throw new VmException("cannot pause: the VM is " + state.name().toLowerCase());
        }
        state = State.PAUSED;
    }

    @Override
    public void resume() throws VmException {
        calls.add("resume");
        if (state != State.PAUSED) {
            throw new VmException("cannot resume: the VM is " + state.name().toLowerCase());
        }
        state = State.RUNNING;
    }

    @Override
    public void snapshot(Path dir, SnapshotProgress progress) throws VmException {
        calls.add("snapshot " + dir);
        if (state != State.PAUSED) {
            throw new VmException("cannot snapshot: the VM is " + state.name().toLowerCase() + " (pause it first)");
        }
        if (snapshotFailure != null) {
            throw snapshotFailure;
        }
        progress.update("memory", 1, 1);
    }

    @Override
    public void requestShutdown(boolean force) {
        calls.add("shutdown " + force);
        if (force) {
            state = State.STOPPED;
        }
    }

    @Override
    public void stop(io.jvmm.vm.VmExit reason) {
        calls.add("stop " + reason);
        state = State.STOPPED;
    }

    @Override
    public Info info() {
        return new Info("fake", state, 2, 256L << 20, List.of(
                new DeviceInfo("com1", "Serial8250", true),
                new DeviceInfo("disk0", "VirtioBlock", true),
                new DeviceInfo("net0", "VirtioNet", true),
                new DeviceInfo("balloon0", "FakeBalloon", false, List.of("target", "stats"))));
    }

    @Override
    public List<DeviceCommand> deviceCommands(String deviceId) throws VmException {
        return switch (deviceId) {
            case "balloon0" -> balloonCommands;
            case "com1", "disk0", "net0" -> List.of();
            default -> throw new VmException("no device '" + deviceId + "'");
        };
    }
}
