package io.jvmm.config;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An invalid VM config. Carries every problem found (not just the first), sorted by line;
 * the message is one line per problem, so it can be printed as is.
 */
public class ConfigException extends Exception {
    private final transient List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(format(errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        this.errors = sorted(errors);
    }

    public ConfigException(ConfigError error) {
        this(List.of(error));
    }

    /** The problems, in line order (problems without a line last). */
    public List<ConfigError> errors() {
        return errors;
    }

    private static List<ConfigError> sorted(List<ConfigError> errors) {
        return errors.stream()
                .sorted(Comparator.comparingInt(e -> e.line() > 0 ? e.line() : Integer.MAX_VALUE))
                .toList();
    }

    private static String format(List<ConfigError> errors) {
        return sorted(errors).stream().map(ConfigError::toString).collect(Collectors.joining("\n"));
    }
}
