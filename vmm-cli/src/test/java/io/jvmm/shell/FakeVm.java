package io.jvmm.shell;

import io.jvmm.snapshot.SnapshotProgress;
import io.jvmm.spi.DeviceCommand;
import io.jvmm.spi.DeviceCommandException;
import io.jvmm.vm.VmControl;
import io.jvmm.vm.VmException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A {@link VmControl} without KVM: keeps the state machine of the real VM and records calls. */
final class FakeVm implements VmControl {
    State state = State.RUNNING;
    final List<String> calls = new ArrayList<>();
    /** What balloon0's commands act on, like a virtio-balloon's target. */
    long balloonTargetMib;

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
    public void snapshot(Path dir, SnapshotProgress progress) {
        calls.add("snapshot " + dir);
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
