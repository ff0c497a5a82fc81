package io.jvmm.config;

import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A [[device]] table as the plugin sees it. Every getter records its key, so that after
 * {@code create} the VMM can reject keys the plugin never asked for ({@link #unusedKeyErrors()}):
 * a typo such as {@code pth = "disk.img"} is an error, not silently ignored.
 *
 * <p>Getters throw {@link DeviceConfigException} for a value of the wrong type;
 * {@link #error(DeviceConfigException)} turns that (or one the plugin threw) into a
 * {@link ConfigError} with the file, line and device.
 */
public final class TomlDeviceConfig implements DeviceConfig {
    /** Keys the VMM reads itself. */
    private static final Set<String> RESERVED = Set.of("type", "id");

    private final DeviceSection section;
    private final Set<String> asked = new LinkedHashSet<>();

    TomlDeviceConfig(DeviceSection section) {
        this.section = section;
    }

    @Override
    public String type() {
        return section.type();
    }

    @Override
    public String id() {
        return section.id();
    }

    @Override
    public Optional<String> string(String key) {
        return get(key, Values::string);
    }

    /** An integer; hex may be written as a string, {@code "0xE9"}, since TOML 0.4 has no hex literals. */
    @Override
    public Optional<Long> integer(String key) {
        return get(key, Values::integer);
    }

    @Override
    public Optional<Boolean> bool(String key) {
        return get(key, Values::bool);
    }

    @Override
    public Optional<Long> size(String key) {
        return get(key, Values::size);
    }

    @Override
    public Optional<Path> path(String key) {
        return get(key, v -> section.source().resolve(Values.nonEmptyString(v, "expected a file path in quotes")));
    }

    @Override
    public Set<String> keys() {
        return section.values().keySet();
    }

    /** {@code demo.toml, [[device]] #2 (line 14)}. */
    @Override
    public String location() {
        int line = section.line();
        return section.source().file() + ", [[device]] #" + section.index() + (line > 0 ? " (line " + line + ")" : "");
    }

    /** The keys the plugin asked for, present or not, in the order it asked. */
    public Set<String> knownKeys() {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(asked));
    }

    /** Keys in the table that the plugin never asked for (besides {@code type} and {@code id}). */
    public Set<String> unusedKeys() {
        Set<String> unused = new LinkedHashSet<>(keys());
        unused.removeAll(asked);
        unused.removeAll(RESERVED);
        return unused;
    }

    /**
     * One error per unused key:
     * {@code demo.toml:15: device[1] (virtio-blk): unknown key 'pth' (known: path, readonly)}.
     */
    public List<ConfigError> unusedKeyErrors() {
        List<ConfigError> errors = new ArrayList<>();
        String known = asked.isEmpty() ? "this device takes no keys besides type and id" : "known: " + String.join(", ", asked);
        for (String key : unusedKeys()) {
            errors.add(section.source().error(section.line(key), section.key() + "." + key,
                    prefix() + "unknown key '" + key + "' (" + known + ")"));
        }
        return errors;
    }

    /** Throws when the table holds keys the plugin never asked for. */
    public void requireAllKeysUsed() throws ConfigException {
        List<ConfigError> errors = unusedKeyErrors();
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
    }

    /** A plugin's complaint about this table, placed at the key's line: {@code demo.toml:16: device[1] (debugcon): key 'port' ...}. */
    public ConfigError error(DeviceConfigException e) {
        String key = e.key() != null ? e.key() : "";
        int line = key.isEmpty() ? section.line() : section.line(key);
        return section.source().error(line, section.key() + (key.isEmpty() ? "" : "." + key), prefix() + e.getMessage());
    }

    /** A problem with the whole device, placed at its {@code [[device]]} line: {@code device[1] (virtio-blk): <problem>}. */
    public ConfigError error(String problem) {
        return section.source().error(section.line(), section.key(), prefix() + problem);
    }

    private String prefix() {
        return section.key() + " (" + section.type() + "): ";
    }


    private <T> Optional<T> get(String key, Values.Conversion<T> conversion) {
        asked.add(key);
        Object value = section.values().get(key);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(conversion.apply(value));
        } catch (Values.BadValue e) {
            throw new DeviceConfigException(key, "= " + Values.render(value) + ": " + e.getMessage());
        }
    }
}
