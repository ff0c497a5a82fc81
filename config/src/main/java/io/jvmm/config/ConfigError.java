package io.jvmm.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One problem in a VM config file, shown to the user as one line in the style of a
 * compiler message: {@code demo.toml:3: vm.memory = "abc": expected a size like 512M}.
 *
 * @param file    the config file as the user named it
 * @param line    1-based line the problem is on, or 0 when it cannot be placed
 * @param key     the dotted key ({@code vm.memory}, {@code device[2].path}), or "" for the whole file
 * @param message the problem; starts with the key when there is one
 */
public record ConfigError(Path file, int line, String key, String message) {
    public ConfigError {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
        if (message.indexOf('\n') >= 0 || message.indexOf('\r') >= 0) {
            message = message.replaceAll("[\r\n]+", " ");
        }
    }

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
    }
}
