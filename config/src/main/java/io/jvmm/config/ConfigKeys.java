package io.jvmm.config;

import java.nio.file.Path;

/** Places a problem found after loading (e.g. a kernel file that is not a kernel) at its key's line. */
public final class ConfigKeys {
    private ConfigKeys() {
    }

    /** An error for {@code table.key} of {@code config}, on the key's line when the file still reads. */
    public static ConfigError error(VmConfig config, String table, String key, String message) {
        int line = 0;
        try {
            line = TomlLines.of(ConfigLoader.readText(config.source())).key(table, key);
        } catch (ConfigException | RuntimeException e) {
            // The message stands without a line number.
        }
        return new ConfigError(config.source(), line, table + "." + key, table + "." + key + ": " + message);
    }

    /** Convenience for the path-valued keys of [boot]. */
    public static ConfigError bootError(VmConfig config, String key, Path value, String message) {
        return error(config, "boot", key, "\"" + value + "\": " + message);
    }
}
