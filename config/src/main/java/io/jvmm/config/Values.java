package io.jvmm.config;

import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * Conversions from what toml4j produces (String, Long, Double, Boolean, Date, List, Map) to
 * config values, shared by the [vm]/[boot]/[serial] readers and {@link TomlDeviceConfig}.
 * A value of the wrong form throws {@link BadValue} carrying the expected form.
 */
final class Values {
    private Values() {
    }

    /** A value that is not of the expected form; the message is the expected form. */
    static final class BadValue extends Exception {
        BadValue(String expected) {
            super(expected);
        }
    }

    /** A conversion that may reject the value. */
    interface Conversion<T> {
        T apply(Object value) throws BadValue;
    }

    static String string(Object value) throws BadValue {
        if (value instanceof String s) {
            return s;
        }
        throw new BadValue("expected a string in quotes");
    }

    static String nonEmptyString(Object value, String expected) throws BadValue {
        if (value instanceof String s && !s.isBlank()) {
            return s;
        }
        throw new BadValue(expected);
    }

    /**
     * An integer. Also accepts a string in hex ({@code "0xE9"}) or decimal, because the TOML
     * parser (toml4j 0.7, TOML 0.4) has no hex integer literals.
     */
    static long integer(Object value) throws BadValue {
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof String s) {
            String t = s.strip().replace("_", "");
            try {
                if (t.startsWith("0x") || t.startsWith("0X")) {
                    return Long.parseLong(t.substring(2), 16);
                }
                return Long.parseLong(t);
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new BadValue("expected an integer (e.g. 233 or \"0xE9\")");
    }

    static long integerInRange(Object value, long min, long max) throws BadValue {
        String expected = "expected an integer from " + min + " to " + max;
        if (!(value instanceof Long l)) {
            throw new BadValue(expected);
        }
        if (l < min || l > max) {
            throw new BadValue(expected);
        }
        return l;
    }

    static boolean bool(Object value) throws BadValue {
        if (value instanceof Boolean b) {
            return b;
        }
        throw new BadValue("expected true or false");
    }

    /** A size: a string like {@code "512M"} or a non-negative integer number of bytes. */
    static long size(Object value) throws BadValue {
        if (value instanceof Long l && l >= 0) {
            return l;
        }
        if (value instanceof String s) {
            try {
                return Sizes.parse(s);
            } catch (IllegalArgumentException e) {
                throw new BadValue("expected " + Sizes.EXPECTED);
            }
        }
        throw new BadValue("expected " + Sizes.EXPECTED);
    }

    /** The value as it could be written in TOML, for messages; long values are cut short. */
    static String render(Object value) {
        String s;
        if (value instanceof String str) {
            s = '"' + str.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
        } else if (value instanceof Map) {
            return "a table";
        } else if (value instanceof List<?> list) {
            return list.isEmpty() ? "[]" : "an array";
        } else if (value instanceof Date) {
            return "a date";
        } else {
            s = String.valueOf(value);
        }
        return s.length() > 60 ? s.substring(0, 57) + "...\"" : s;
    }
}
