package io.jvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.snapshot.SnapshotProgress;
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
}
