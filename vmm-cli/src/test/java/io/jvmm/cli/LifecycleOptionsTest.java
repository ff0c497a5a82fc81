package io.jvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.snapshot.SnapshotProgress;
import io.jvmm.spi.DeviceCommand;
import io.jvmm.spi.DeviceCommandException;
import io.jvmm.vm.VmException;
import io.jvmm.vm.VmControl;
import io.jvmm.vm.VmExit;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
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
        List<VmExit> exits = new ArrayList<>();

        LifecycleOptions.snapshot(vm, Path.of("/nonexistent/snap"), LifecycleOptions.After.EXIT, new PrintWriter(out),
                exits::add);

        assertThat(vm.state()).isEqualTo(VmControl.State.RUNNING);
        assertThat(out.toString()).contains("jvmm: snapshot failed: java.lang.OutOfMemoryError: Java heap space");
        assertThat(exits).isEmpty();
    }

    @Test
    void theControlPipeListsAndRunsADevicesCommands() {
        FailingSnapshotVm vm = new FailingSnapshotVm();
        StringWriter out = new StringWriter();
        PrintWriter err = new PrintWriter(out, true);
        LifecycleOptions options = new LifecycleOptions();
        options.command(vm, "device counter0", err, e -> { });
        options.command(vm, "device counter0 add 5", err, e -> { });
        options.command(vm, "device counter0 add", err, e -> { });
        options.command(vm, "device counter0 sub 1", err, e -> { });
        options.command(vm, "device nope", err, e -> { });
        assertThat(out.toString()).contains("jvmm: counter0 commands: add N - adds N",
                "jvmm: counter0 add: counter 5", "jvmm: counter0 add: expected one number",
                "jvmm: device 'counter0' has no command 'sub' (it offers: add)", "jvmm: no device 'nope'");
        assertThat(vm.counter).isEqualTo(5);
    }
}
