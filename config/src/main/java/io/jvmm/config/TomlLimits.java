package io.jvmm.config;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a config text must keep to before toml4j (0.7.2) parses it, checked in one linear pass.
 * A config is the user's file, but it is also stored in a snapshot, and either can be hostile;
 * toml4j on some tiny inputs loops for ever, and on others costs time or heap that grows with
 * the square of the text. Each limit closes one of those:
 *
 * <ul>
 *   <li>{@link #MAX_BYTES}: toml4j copies the rest of the text for every value it reads
 *       ({@code ValueReaders.convert} takes a substring to the end), so parsing is quadratic:
 *       64 KiB of {@code kN = 1} lines take about a second, 1 MiB would take minutes. A real
 *       config is one or two KiB.</li>
 *   <li>{@link #MAX_NESTING}: arrays and inline tables are read recursively; deep nesting
 *       overflows the stack. jvmm reads no arrays or inline tables at all.</li>
 *   <li>{@link #MAX_KEY_PARTS}: a table header of tens of thousands of dotted parts makes toml4j
 *       build a table per prefix and run out of heap.</li>
 *   <li>In an array, a bare value must be a whole number, boolean or date: toml4j records an
 *       error holding the rest of the text for every character of a bad element, and keeps
 *       going (quadratic heap).</li>
 *   <li>Control characters other than tab, newline and carriage return are refused (TOML
 *       forbids them in strings and comments; in a path they cannot name a file).</li>
 * </ul>
 *
 * <p>One input class makes toml4j loop for ever, whatever the size: an array whose last element
 * is a sign ({@code +} or {@code -}) at the very end of the text. Its number reader steps back
 * one character when the sign is the last one, and the array reader reads the same sign again.
 * {@link #parseable} ends the text with a newline, so a sign is never last.
 */
final class TomlLimits {
    /** Most bytes (and characters) in a config. */
    static final int MAX_BYTES = 64 * 1024;
    /** Most arrays and inline tables inside one another. */
    static final int MAX_NESTING = 8;
    /** Most dotted parts in a table header or key ({@code [a.b.c]} has three). */
    static final int MAX_KEY_PARTS = 16;
    /** A bare array element longer than this is no number, boolean or date. */
    private static final int MAX_SCALAR = 64;
    /** What toml4j's number, boolean and date readers each consume whole. */
    private static final Pattern ARRAY_SCALAR = Pattern.compile(
            "[+-]?[0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false"
                    + "|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})");
    private static final int ARRAY = 0;
    private static final int TABLE = 1;
    private static final int KEY = 0;
    private static final int VALUE = 1;

    private final ConfigSource source;
    private final String text;
    private final int n;
    private final List<ConfigError> errors = new ArrayList<>();
    private int line = 1;

    private TomlLimits(ConfigSource source, String text) {
        this.source = source;
        this.text = text;
        this.n = text.length();
    }

    /** The text toml4j gets: ends in a newline (see the class comment). */
    static String parseable(String text) {
        return text.endsWith("\n") ? text : text + "\n";
    }

    /** The problem when a text of {@code length} characters or bytes is too long, or null. */
    static String sizeProblem(long length) {
        return length > MAX_BYTES ? "it is " + length + " bytes; a config is at most " + MAX_BYTES / 1024 + " KiB"
                : null;
    }

    /**
     * Everything about {@code text} that must stop it before toml4j sees it, with the line and
     * key where that is known; empty when it may be parsed. {@code text} must already be within
     * {@link #MAX_BYTES}.
     */
    static List<ConfigError> problems(ConfigSource source, String text) {
        if (text.length() > MAX_BYTES) {
            throw new IllegalArgumentException("text of " + text.length() + " characters");
        }
        TomlLimits scan = new TomlLimits(source, text);
        scan.controlCharacters();
        if (scan.errors.isEmpty()) {
            scan.statements();
        }
        return scan.errors;
    }

    /** Control characters anywhere, one error per line that has one (TOML 1.0: not in strings or comments). */
    private void controlCharacters() {
        int at = 1;
        int reported = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                at++;
            } else if (isControl(c) && reported != at) {
                reported = at;
                String key = source.lines().keyOn(at);
                errors.add(source.error(at, key, (key.isEmpty() ? "" : key + ": ") + "control character "
                        + String.format("U+%04X", (int) c) + " (only tab, newline and carriage return may appear in a config)"));
            }
        }
    }

    /** Control characters other than tab, newline and carriage return, and DEL. */
    static boolean isControl(char c) {
        return c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f;
    }

    /** Walks the statements the way toml4j's TomlParser does: headers, comments and {@code key = value}. */
    private void statements() {
        int i = 0;
        while (i < n && errors.isEmpty()) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                i++;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                i = endOfLine(i);
            } else if (c == '[') {
                // A table header runs to the end of its line (toml4j's IdentifierConverter).
                int end = endOfLine(i);
                keyParts(i, end);
                i = end;
            } else {
                int equals = keyEnd(i);
                keyParts(i, equals);
                if (equals >= n || text.charAt(equals) != '=') {
                    i = equals; // no value: toml4j says so
                } else {
                    i = endOfLine(value(equals + 1));
                }
            }
        }
    }

    /** Where the key starting at {@code i} ends: its {@code =}, or the end of the line (quotes as toml4j reads them). */
    private int keyEnd(int i) {
        boolean quoted = false;
        for (; i < n && text.charAt(i) != '\n'; i++) {
            char c = text.charAt(i);
            if ((c == '"' || c == '\'') && (i == 0 || text.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            } else if (!quoted && c == '=') {
                break;
            }
        }
        return i;
    }

    private void keyParts(int from, int to) {
        int parts = 1;
        boolean quoted = false;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if ((c == '"' || c == '\'') && (i == 0 || text.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            } else if (!quoted && c == '.') {
                parts++;
            }
        }
        if (parts > MAX_KEY_PARTS) {
            errors.add(source.error(line, "", "invalid TOML: a table name or key of " + parts + " dotted parts (at most "
                    + MAX_KEY_PARTS + ")"));
        }
    }

    /**
     * The value from {@code i} to its end, arrays and inline tables followed the way toml4j's
     * readers do, without recursion. Returns the index after it.
     */
    private int value(int i) {
        while (i < n && text.charAt(i) != '\n' && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        if (i >= n || text.charAt(i) == '\n') {
            return i;
        }
        Deque<int[]> open = new ArrayDeque<>(); // {ARRAY} or {TABLE, KEY|VALUE}
        i = element(i, open);
        while (!open.isEmpty() && i < n && errors.isEmpty()) {
            int[] top = open.peek();
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
            }
            if (top[0] == ARRAY) {
                if (c == ']') {
                    open.pop();
                    i++;
                } else if (c == '#') {
                    i = endOfLine(i);
                } else if (Character.isWhitespace(c) || c == ',') {
                    i++;
                } else {
                    i = element(i, open);
                }
            } else if (top[1] == KEY) {
                // toml4j's inline table: any characters up to '=' are the key; '}' closes it.
                if (c == '}') {
                    open.pop();
                } else if (c == '=') {
                    top[1] = VALUE;
                }
                i++;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else {
                top[1] = KEY;
                i = element(i, open);
            }
        }
        return i;
    }

    /** One value starting at the non-blank {@code i}: a string, a bare word, or the opening of an array or inline table. */
    private int element(int i, Deque<int[]> open) {
        char c = text.charAt(i);
        if (c == '"') {
            return text.startsWith("\"\"\"", i) ? past(i + 3, "\"\"\"") : pastBasicString(i + 1);
        }
        if (c == '\'') {
            return text.startsWith("'''", i) ? past(i + 3, "'''") : past(i + 1, "'");
        }
        if (c == '[' || c == '{') {
            if (open.size() >= MAX_NESTING) {
                errors.add(source.error(line, "", "invalid TOML: arrays or inline tables nested more than "
                        + MAX_NESTING + " deep"));
                return n;
            }
            open.push(c == '[' ? new int[] {ARRAY} : new int[] {TABLE, KEY});
            return i + 1;
        }
        int end = i;
        while (end < n && !delimits(text.charAt(end))) {
            end++;
        }
        end = Math.max(end, i + 1);
        if (!open.isEmpty() && open.peek()[0] == ARRAY) {
            String word = text.substring(i, end);
            if (word.length() > MAX_SCALAR || !ARRAY_SCALAR.matcher(word).matches()) {
                errors.add(source.error(line, "", "invalid TOML: " + Values.render(word.length() > MAX_SCALAR
                        ? word.substring(0, MAX_SCALAR) + "..." : word) + " in an array is no string, number, "
                        + "boolean or date"));
                return n;
            }
        }
        return end;
    }

    private static boolean delimits(char c) {
        return Character.isWhitespace(c) || c == ',' || c == '[' || c == ']' || c == '{' || c == '}' || c == '#'
                || c == '"' || c == '\'' || c == '=';
    }

    /** After a basic string: toml4j ends it at the first quote not right after a backslash. */
    private int pastBasicString(int i) {
        for (; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
            } else if (c == '"' && text.charAt(i - 1) != '\\') {
                return i + 1;
            }
        }
        return n;
    }

    /** After the first {@code end} from {@code i}, counting lines; the end of the text when there is none. */
    private int past(int i, String end) {
        int at = text.indexOf(end, i);
        int stop = at < 0 ? n : at + end.length();
        for (int j = i; j < stop; j++) {
            if (text.charAt(j) == '\n') {
                line++;
            }
        }
        return stop;
    }

    private int endOfLine(int i) {
        int at = text.indexOf('\n', i);
        return at < 0 ? n : at;
    }

    /**
     * Control characters inside the parsed values, where an escape ({@code "\u0000"}) put them:
     * the pass over the text cannot see those. Keys as the readers name them ({@code boot.kernel},
     * {@code device[2].path}).
     */
    static List<ConfigError> controlCharactersIn(ConfigSource source, Map<String, Object> document) {
        List<ConfigError> found = new ArrayList<>();
        walk(source, "", document, found);
        return found;
    }

    /** Depth is bounded by {@link #MAX_KEY_PARTS} and {@link #MAX_NESTING}, checked before parsing. */
    private static void walk(ConfigSource source, String prefix, Object value, List<ConfigError> found) {
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                walk(source, prefix.isEmpty() ? key : prefix + "." + key, e.getValue(), found);
            }
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(source, prefix + "[" + (i + 1) + "]", list.get(i), found);
            }
        } else if (value instanceof String s) {
            for (int i = 0; i < s.length(); i++) {
                if (isControl(s.charAt(i))) {
                    found.add(source.error(line(source, prefix), prefix, prefix + ": control character "
                            + String.format("U+%04X", (int) s.charAt(i)) + " in the value (an escape such as \\u0000 "
                            + "makes one; a config value cannot hold it)"));
                    return;
                }
            }
        }
    }

    /** The line of {@code table.key} or {@code name[n].key}, as far as {@link TomlLines} can place it. */
    private static int line(ConfigSource source, String key) {
        int dot = key.lastIndexOf('.');
        if (dot < 0) {
            return source.lines().key("", key);
        }
        String table = key.substring(0, dot);
        String last = key.substring(dot + 1);
        int bracket = table.indexOf('[');
        if (bracket > 0 && table.endsWith("]") && table.indexOf('[', bracket + 1) < 0) {
            try {
                int n = Integer.parseInt(table.substring(bracket + 1, table.length() - 1));
                return source.lines().arrayKey(table.substring(0, bracket), n, last);
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return source.lines().key(table, last);
    }
}
