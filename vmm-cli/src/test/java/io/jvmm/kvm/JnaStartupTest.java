package io.jvmm.kvm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JnaStartupTest {
    @Test
    void theDirectoriesUseDebiansMultiarchNameForJavasArch() {
        assertThat(JnaStartup.systemLibraryDirs("amd64"))
                .isEqualTo("/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu:/usr/lib64:/lib64:/usr/lib:/lib");
        assertThat(JnaStartup.systemLibraryDirs("aarch64")).startsWith("/usr/lib/aarch64-linux-gnu:/lib/aarch64-linux-gnu:");
    }

    @Test
    void theDirectoriesHoldThisMachinesLibc() {
        // What the dynamic loader would open for JNA's "libc.so.6" is in one of them.
        String dirs = JnaStartup.systemLibraryDirs(System.getProperty("os.arch"));
        assertThat(java.util.Arrays.stream(dirs.split(":")).map(d -> java.nio.file.Path.of(d, "libc.so.6")))
                .anyMatch(java.nio.file.Files::exists);
    }
}
