package io.jvmm.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One [[device]] table. Its keys besides {@code type} and {@code id} belong to the plugin
 * for {@code type}, which reads them through {@link #config()}.
 *
 * @param index  1-based position among the [[device]] tables, as in {@code device[2].path}
 * @param type   the plugin type, e.g. {@code virtio-blk}
 * @param id     the {@code id} key, or {@code <type><n>} (n counting devices of that type from 0)
 * @param values the whole table as parsed (String, Long, Double, Boolean, Date, List, Map values)
 * @param source the config file, for resolving paths and placing errors
 */
public record DeviceSection(int index, String type, String id, Map<String, Object> values, ConfigSource source) {
    public DeviceSection {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** How messages name this table: {@code device[2]}. */
    public String key() {
        return "device[" + index + "]";
    }

    /** The line of the table's {@code [[device]]} header, or 0 if unknown. */
    public int line() {
        return source.lines().arrayTable("device", index);
    }

    /** The line of {@code key =} in this table, or the header's line. */
    public int line(String key) {
        return source.lines().arrayKey("device", index, key);
    }

    /**
     * A fresh view of this table for the plugin. Each call starts with no keys marked as
     * used, so call it once per {@link io.jvmm.spi.DeviceFactory#create} and check that
     * same object's {@link TomlDeviceConfig#unusedKeys()} afterwards.
     */
    public TomlDeviceConfig config() {
        return new TomlDeviceConfig(this);
    }
}
