package io.jvmm.cli;

import io.jvmm.snapshot.SnapshotException;
import io.jvmm.vm.SnapshotMismatchException;
import io.jvmm.vm.VmException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExitCodesTest {
    @Test
    void aSnapshotThatNoLongerFitsTheHostIsABadSnapshotNotAVmFailure() {
        assertThat(ExitCodes.forException(new SnapshotMismatchException("device 'vda': image gone")))
                .isEqualTo(ExitCodes.BAD_SNAPSHOT);
        assertThat(ExitCodes.forException(new SnapshotException("checksum"))).isEqualTo(ExitCodes.BAD_SNAPSHOT);
        assertThat(ExitCodes.forException(new VmException("vCPU failed"))).isEqualTo(ExitCodes.VM_ERROR);
    }
}
