package io.jvmm.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jvmm.vm.VmLauncher;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The config stored in a snapshot is as untrusted as a config file: restore checks it the same way. */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileSnapshotConfigTest {
    @TempDir
    Path dir;

    private Throwable check(String sourcePath, String toml) throws Exception {
        Snapshot sample = SnapshotFileTest.sample();
        try (SnapshotDirWriter w = SnapshotDirWriter.begin(dir)) {
            SnapshotFile.write(w.dir(), new Snapshot(new SnapshotConfig(sourcePath, toml, 0x200000, 2), sample.vm(),
                    sample.vcpus(), sample.devices(), sample.memory()));
            w.commit();
        }
        return catchThrowable(() -> VmLauncher.check(dir, (phase, done, total) -> { }));
    }

    @Test
    void aConfigTextThatWouldHangTheParserIsABadSnapshot() throws Exception {
        assertThat(check("/vm/vm.toml", "a = [-")).isInstanceOf(SnapshotException.class)
                .hasMessageStartingWith("snapshot " + dir + ": its config is no longer valid: /vm/vm.toml:1: invalid TOML");
    }

    @Test
    void aNulInTheStoredConfigIsABadSnapshotNotAnInternalError() throws Exception {
        assertThat(check("/vm/vm.toml", "[boot]\nkernel = \"/k\\u0000\"\n")).isInstanceOf(SnapshotException.class)
                .hasMessageContaining("/vm/vm.toml:2: boot.kernel: control character U+0000");
        assertThat(check("/vm/\0vm.toml", "[boot]\nkernel = \"/k\"\n")).isInstanceOf(SnapshotException.class)
                .hasMessageContaining("the path of its config is not a path");
    }
}
