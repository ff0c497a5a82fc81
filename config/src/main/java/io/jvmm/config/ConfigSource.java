package io.jvmm.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The config file a value came from: its name for messages, the directory relative paths
 * resolve against, and a line index for placing errors.
 */
public final class ConfigSource {
    private final Path file;
    private final Path dir;
    private final TomlLines lines;

    ConfigSource(Path file, String text) {
        this.file = Objects.requireNonNull(file, "file");
        Path parent = file.toAbsolutePath().normalize().getParent();
        this.dir = parent != null ? parent : Path.of("/");
        this.lines = TomlLines.of(text);
    }

    /** The config file as the user named it. */
    public Path file() {
        return file;
    }

    /** The absolute directory holding the config file. */
    public Path dir() {
        return dir;
    }

    /**
     * Resolves a path written in the config: {@code ~/x} against the user's home, a
     * relative path against {@link #dir()}.
     */
    public Path resolve(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + path.substring(1)).normalize();
        }
        return dir.resolve(path).normalize();
    }

    public ConfigError error(int line, String key, String message) {
        return new ConfigError(file, line, key, message);
    }

    TomlLines lines() {
        return lines;
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
