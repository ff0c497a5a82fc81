package io.jvmm.vfio.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class LockedMemoryLimitTest {
    private static final long GIB = 1L << 30;

    @Test
    void aLimitBelowGuestRamIsAProblemThatSaysWhatToRaise() {
        assertThat(new LockedMemoryLimit(64 << 10, false).problem(GIB)).hasValueSatisfying(m -> assertThat(m)
                .contains("is 64 KiB").contains("all 1 GiB of guest RAM").contains("ulimit -l unlimited"));
    }

    @Test
    void enoughLimitUnlimitedOrCapIpcLockIsFine() {
        assertThat(new LockedMemoryLimit(2 * GIB, false).problem(GIB)).isEmpty();
        assertThat(new LockedMemoryLimit(-1, false).problem(GIB)).isEmpty();
        assertThat(new LockedMemoryLimit(0, true).problem(GIB)).isEmpty();
    }

    @Test
    void capIpcLockIsReadFromTheEffectiveSet(@TempDir Path dir) throws IOException {
        Path withCap = Files.writeString(dir.resolve("a"), "Name:\tjava\nCapEff:\t000001ffffffffff\n");
        Path without = Files.writeString(dir.resolve("b"), "Name:\tjava\nCapEff:\t0000000000000000\n");
        assertThat(LockedMemoryLimit.hasCapIpcLock(withCap)).isTrue();
        assertThat(LockedMemoryLimit.hasCapIpcLock(without)).isFalse();
    }

    @Test
    void thisProcessCanBeAsked() {
        LockedMemoryLimit here = LockedMemoryLimit.ofThisProcess();
        assertThat(here.limit() == -1 || here.limit() >= 0).isTrue();
    }
}
