package io.jvmm.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.vm.VmExit;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TakeSnapshotTest {
    private static final Path DIR = Path.of("/snap");

    @Test
    void aRunningVmIsPausedSnapshottedAndRunsAgainAfterContinue() throws Exception {
        FakeVm vm = new FakeVm();
        TakeSnapshot.Taken taken = new TakeSnapshot(DIR, TakeSnapshot.After.CONTINUE, null).apply(vm);
        assertThat(vm.calls).containsExactly("pause", "snapshot /snap", "resume");
        assertThat(taken.state()).isEqualTo(VmControl.State.RUNNING);
    }

    @Test
    void aPausedVmStaysPausedAfterContinue() throws Exception {
        FakeVm vm = new FakeVm();
        vm.state = VmControl.State.PAUSED;
        new TakeSnapshot(DIR, TakeSnapshot.After.CONTINUE, null).apply(vm);
        assertThat(vm.calls).containsExactly("snapshot /snap");
        assertThat(vm.state()).isEqualTo(VmControl.State.PAUSED);
    }

    @Test
    void exitStopsTheVmWithSnapshotThenExit() throws Exception {
        FakeVm vm = new FakeVm();
        new TakeSnapshot(DIR, TakeSnapshot.After.EXIT, null).apply(vm);
        assertThat(vm.calls).containsExactly("pause", "snapshot /snap", "stop " + VmExit.SNAPSHOT_THEN_EXIT);
    }

    @Test
    void pauseLeavesTheVmPaused() throws Exception {
        FakeVm vm = new FakeVm();
        new TakeSnapshot(DIR, TakeSnapshot.After.PAUSE, null).apply(vm);
        assertThat(vm.state()).isEqualTo(VmControl.State.PAUSED);
    }

    @Test
    void aSnapshotThatDiesOfAnErrorResumesTheVmItPausedAndRethrows() {
        FakeVm vm = new FakeVm();
        vm.snapshotFailure = new IllegalStateException("disk full");
        assertThatThrownBy(() -> new TakeSnapshot(DIR, TakeSnapshot.After.EXIT, null).apply(vm))
                .hasMessage("disk full");
        assertThat(vm.state()).isEqualTo(VmControl.State.RUNNING);
        assertThat(vm.calls).doesNotContain("stop " + VmExit.SNAPSHOT_THEN_EXIT);
    }
}
