package io.jvmm.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads one of the VMM's own tables ([vm], [boot], [serial]): typed getters that collect
 * errors instead of throwing, and a check for keys the VMM does not know.
 */
final class SectionReader {
    private final ConfigSource source;
    private final String table;
    private final Map<String, Object> values;
    private final List<ConfigError> errors;
    private final Set<String> known = new LinkedHashSet<>();

    SectionReader(ConfigSource source, String table, Map<String, Object> values, List<ConfigError> errors) {
        this.source = source;
        this.table = table;
        this.values = values;
        this.errors = errors;
    }


    /** The value of {@code key} converted, or empty when absent or invalid (then an error is recorded). */
    <T> Optional<T> get(String key, Values.Conversion<T> conversion) {
        known.add(key);
        Object value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(conversion.apply(value));
        } catch (Values.BadValue e) {
            badValue(key, e.getMessage());
            return Optional.empty();
        }
    }

    Optional<String> string(String key, String expected) {
        return get(key, v -> Values.nonEmptyString(v, expected));
    }

    /** A path to an existing regular file, resolved against the config's directory. */
    Optional<Path> existingFile(String key, String expected) {
        Optional<String> text = string(key, expected);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Path path = source.resolve(text.get());
        if (!Files.isRegularFile(path)) {
            String problem = Files.isDirectory(path) ? "is a directory" : Files.exists(path) ? "is not a regular file" : "file not found";
            error(key, table + "." + key + " = " + Values.render(text.get()) + ": " + problem + ": " + path);
            return Optional.empty();
        }
        if (!Files.isReadable(path)) {
            error(key, table + "." + key + " = " + Values.render(text.get()) + ": not readable: " + path);
            return Optional.empty();
        }
        return Optional.of(path);
    }

    /** Records {@code table.key = <value>: <expected>}. */
    void badValue(String key, String expected) {
        error(key, table + "." + key + " = " + Values.render(values.get(key)) + ": " + expected);
    }

    void missing(String key, String expected) {
        errors.add(source.error(source.lines().table(table), table + "." + key,
                table + "." + key + ": missing (" + expected + ")"));
    }

    void error(String key, String message) {
        errors.add(source.error(line(key), table + "." + key, message));
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    int line(String key) {
        return source.lines().key(table, key);
    }

    /** Records an error for every key no getter asked for. */
    void rejectUnknownKeys() {
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                error(key, table + "." + key + ": unknown key (known: " + String.join(", ", known) + ")");
            }
        }
    }
}
