package io.jvmm.cli;

import java.util.List;
import java.util.Locale;

/**
 * {@code --log-level}. slf4j-simple fixes its default level when the first logger is made,
 * so {@link JvmmCommand#main} applies the option before anything logs
 * ({@link #applyFromArgs}); the option's setter applies it again for loggers made later.
 */
public enum LogLevel {
    ERROR, WARN, INFO, DEBUG, TRACE;

    static final String PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    /** Makes this the default slf4j-simple level for loggers created from now on. */
    public void apply() {
        System.setProperty(PROPERTY, name().toLowerCase(Locale.ROOT));
    }

    /** True for debug and trace, which show stack traces. */
    public boolean showsStackTraces() {
        return compareTo(DEBUG) >= 0;
    }

    /** Parses a level case-insensitively. */
    public static LogLevel parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected one of error, warn, info, debug, trace");
        }
    }

    /** Finds {@code --log-level X} or {@code --log-level=X} in raw arguments and applies it; ignores junk (picocli reports it). */
    static void applyFromArgs(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String value = null;
            if (a.equals("--log-level") && i + 1 < args.size()) {
                value = args.get(i + 1);
            } else if (a.startsWith("--log-level=")) {
                value = a.substring("--log-level=".length());
            } else if (a.equals("--")) {
                return;
            }
            if (value != null) {
                try {
                    parse(value).apply();
                } catch (IllegalArgumentException e) {
                    // picocli will reject it with a proper message
                }
            }
        }
    }
}
