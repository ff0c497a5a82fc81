package io.jvmm.shell;

import io.jvmm.snapshot.SnapshotProgress;
import io.jvmm.vm.VmControl;
import io.jvmm.vm.VmException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A {@link VmControl} without KVM: keeps the state machine of the real VM and records calls. */
final class FakeVm implements VmControl {
    State state = State.RUNNING;
    final List<String> calls = new ArrayList<>();

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
                new DeviceInfo("net0", "VirtioNet", true)));
    }
}
