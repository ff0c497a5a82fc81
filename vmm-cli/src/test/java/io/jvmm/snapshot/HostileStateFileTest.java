package io.jvmm.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class HostileStateFileTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aStateFileThatNeverEndsIsReadNoFurtherThanTheLimit() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/dev/zero")));
        Files.createSymbolicLink(dir.resolve("state.bin"), Path.of("/dev/zero"));
        assertThat(catchThrowable(() -> SnapshotFile.read(dir))).isInstanceOf(SnapshotException.class)
                .hasMessageEndingWith("state.bin: too large for a snapshot state file");
    }
}
