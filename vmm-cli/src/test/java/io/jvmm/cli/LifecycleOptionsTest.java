package io.jvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.snapshot.SnapshotProgress;
import io.jvmm.spi.DeviceCommand;
import io.jvmm.spi.DeviceCommandException;
import io.jvmm.control.TakeSnapshot;
import io.jvmm.vm.VmException;
import io.jvmm.control.VmControl;
import io.jvmm.vm.VmExit;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LifecycleOptionsTest {
    /** A running VM whose snapshot dies of an OutOfMemoryError. */
    private static final class FailingSnapshotVm implements VmControl {
        State state = State.RUNNING;

        @Override
        public State state() {
            return state;
        }

        @Override
        public void pause() {
            state = State.PAUSED;
        }

        @Override
        public void resume() {
            state = State.RUNNING;
        }

        @Override
        public void snapshot(Path dir, SnapshotProgress progress) {
            throw new OutOfMemoryError("Java heap space");
        }

        @Override
        public void requestShutdown(boolean force) {
        }

        VmExit stoppedWith;

        @Override
        public void stop(VmExit reason) {
            stoppedWith = reason;
            state = State.STOPPED;
        }

        @Override
        public Info info() {
            return new Info("t", state, 1, 64 << 20, List.of());
        }

        long counter;

        @Override
        public List<DeviceCommand> deviceCommands(String deviceId) throws VmException {
            if (!deviceId.equals("counter0")) {
                throw new VmException("no device '" + deviceId + "'");
            }
            return List.of(new DeviceCommand("add", "N", "adds N", args -> {
                if (args.size() != 1) {
                    throw new DeviceCommandException("expected one number");
                }
                counter += Long.parseLong(args.get(0));
                return "counter " + counter;
            }));
        }
    }

    @Test
    void aSnapshotThatDiesOfAnErrorLeavesTheVmRunningNotPausedForEver() {
        FailingSnapshotVm vm = new FailingSnapshotVm();
        StringWriter out = new StringWriter();

        LifecycleOptions.snapshot(vm, Path.of("/nonexistent/snap"), TakeSnapshot.After.EXIT, new PrintWriter(out));

        assertThat(vm.state()).isEqualTo(VmControl.State.RUNNING);
        assertThat(out.toString()).contains("jvmm: snapshot failed: java.lang.OutOfMemoryError: Java heap space");
        assertThat(vm.stoppedWith).isNull();
    }
}
