package io.jvmm.config;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A config file of any bytes, read the way {@code jvmm run} and a snapshot restore read one:
 * strict UTF-8, {@link TomlLimits}, toml4j, then {@link VmConfigReader}. The only answer to a
 * bad file is a {@link ConfigException}; anything else (toml4j's own exceptions leaking, a stack
 * overflow, running out of heap, a hang past the fuzzer's timeout) is a bug. The directory has
 * a kernel and a disk image so that a valid config gets all the way through.
 */
class ConfigFuzzTest {
    private static final Path DIR = directory();

    private static Path directory() {
        try {
            Path dir = Files.createTempDirectory("jvmm-config-fuzz");
            Files.write(dir.resolve("vmlinuz"), new byte[4096]);
            Files.write(dir.resolve("initrd.img"), new byte[512]);
            Files.write(dir.resolve("disk.img"), new byte[1 << 16]);
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest
    void toml(FuzzedDataProvider data) throws IOException {
        Path file = DIR.resolve("vm.toml");
        Files.write(file, data.consumeRemainingAsBytes());
        try {
            ConfigLoader.load(file);
        } catch (ConfigException expected) {
            // a bad config, reported
        }
    }
}
