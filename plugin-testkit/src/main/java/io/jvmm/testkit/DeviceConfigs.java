package io.jvmm.testkit;

import io.jvmm.config.ConfigException;
import io.jvmm.config.ConfigLoader;
import io.jvmm.config.DeviceSection;
import io.jvmm.config.TomlDeviceConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@link io.jvmm.spi.DeviceConfig} jvmm hands a factory, for a plugin's unit tests: the
 * [[device]] table is read by jvmm's own config reader (jvmm-config: the same TOML parser, value
 * conversions, paths resolved against the config's directory, and errors placed at file and
 * line), not by a look-alike. After {@code create}, {@link TomlDeviceConfig#unusedKeys()} shows
 * what jvmm would reject as an unknown key.
 *
 * <pre>{@code
 * TomlDeviceConfig config = DeviceConfigs.parse(dir, """
 *         type = "virtio-rng"
 *         source = "/dev/urandom"
 *         """);
 * Device device = new RngDeviceFactory().create(config, context);
 * assertThat(config.unusedKeys()).isEmpty();
 * }</pre>
 */
public final class DeviceConfigs {
    /** The name the table's file has in messages and {@code location()}; it is never read. */
    public static final String FILE_NAME = "test.toml";

    private DeviceConfigs() {
    }

    /**
     * The first [[device]] table of {@code toml}; a text without a {@code [[device]]} header is
     * taken as that table's body. Relative paths resolve against {@code dir}.
     *
     * @throws IllegalArgumentException with jvmm's message when jvmm would refuse the text
     */
    public static TomlDeviceConfig parse(Path dir, String toml) {
        String text = toml.contains("[[device]]") ? toml : "[[device]]\n" + toml;
        List<DeviceSection> devices;
        try {
            devices = ConfigLoader.loadDevices(dir.resolve(FILE_NAME), text);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("no [[device]] table in: " + toml);
        }
        return devices.get(0).config();
    }

    /**
     * A table with {@code type}, {@code id} and {@code values} (String, Path, Long, Integer,
     * Boolean, Double or a List of those), written as TOML and read back by jvmm's reader.
     */
    public static TomlDeviceConfig of(String type, String id, Path dir, Map<String, ?> values) {
        StringBuilder toml = new StringBuilder("[[device]]\n");
        toml.append("type = ").append(value(type)).append('\n');
        toml.append("id = ").append(value(id)).append('\n');
        for (Map.Entry<String, ?> e : values.entrySet()) {
            toml.append(key(e.getKey())).append(" = ").append(value(e.getValue())).append('\n');
        }
        return parse(dir, toml.toString());
    }

    /** {@link #of(String, String, Path, Map)} with the id {@code <type>0} and paths relative to the working directory. */
    public static TomlDeviceConfig of(String type, Map<String, ?> values) {
        return of(type, type + "0", Path.of("").toAbsolutePath(), values);
    }

    private static String key(String key) {
        return key.matches("[A-Za-z0-9_-]+") ? key : value(key);
    }

    private static String value(Object v) {
        if (v instanceof String || v instanceof Path) {
            return quoted(v.toString());
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                || v instanceof Boolean || v instanceof Double || v instanceof Float) {
            return v.toString();
        }
        if (v instanceof List<?> list) {
            StringBuilder b = new StringBuilder("[");
            for (Object item : list) {
                b.append(b.length() > 1 ? ", " : "").append(value(item));
            }
            return b.append(']').toString();
        }
        throw new IllegalArgumentException("no TOML form for " + (v == null ? "null" : v.getClass().getName()));
    }

    /** A TOML basic string (TOML 0.4, "String"): backslash, quote and control characters escaped. */
    private static String quoted(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
