package io.jvmm.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.Assertions;

/** Writes config files and the guest files they name into a test directory. */
final class ConfigFiles {
    static final String BOOT = """
            [boot]
            kernel = "guest/vmlinuz"
            """;

    private final Path dir;

    ConfigFiles(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir.resolve("guest"));
        Files.writeString(dir.resolve("guest/vmlinuz"), "not really a kernel");
        Files.writeString(dir.resolve("guest/initrd.cpio.gz"), "not really an initramfs");
    }

    Path dir() {
        return dir;
    }

    Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    VmConfig load(String text) throws Exception {
        return ConfigLoader.load(write("demo.toml", text));
    }

    /** The messages of the ConfigException that loading {@code text} must throw. */
    List<String> errors(String text) {
        Throwable t = Assertions.catchThrowable(() -> load(text));
        Assertions.assertThat(t).isInstanceOf(ConfigException.class);
        return ((ConfigException) t).errors().stream().map(ConfigError::toString).toList();
    }
}
