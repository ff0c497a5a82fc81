package io.jvmm.config;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where tables and keys are in a TOML text, for error messages. toml4j reports lines only
 * for syntax errors, so semantic errors find their line here by scanning for
 * {@code [table]}, {@code [[table]]} and {@code key =} lines. Best effort: keys inside
 * multi-line strings or inline tables may be missed (the line is then 0, "unknown").
 *
 * <p>Every line is matched in time linear in its length: headers are cut out by hand (a
 * regular expression of {@code \s*} around a lazy name took cubic time on {@code [} and
 * thousands of spaces), and the key pattern is anchored and has no nested repetition.
 */
final class TomlLines {
    private static final Pattern KEY = Pattern.compile("\\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\\s*=");

    /** Header id -> line. Plain tables are "name", the n-th array table is "name#n" (1-based). */
    private final Map<String, Integer> headers = new HashMap<>();
    /** Header id + '\0' + key -> line of the first {@code key =} under that header. */
    private final Map<String, Integer> keys = new HashMap<>();
    /** The text's lines, for {@link #find}. */
    private final String[] lines;

    /** A {@code [name]} or {@code [[name]]} line. */
    private record Header(String name, boolean array) {
    }

    private TomlLines(String text) {
        lines = text.split("\r?\n", -1);
        Map<String, Integer> arrayCounts = new HashMap<>();
        String header = "";
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            Header h = header(lines[i]);
            if (h != null && h.array()) {
                int n = arrayCounts.merge(h.name(), 1, Integer::sum);
                header = h.name() + "#" + n;
                headers.putIfAbsent(header, lineNo);
                headers.putIfAbsent(h.name(), lineNo);
                continue;
            }
            if (h != null) {
                header = h.name();
                headers.putIfAbsent(header, lineNo);
                continue;
            }
            String key = key(lines[i]);
            if (key != null) {
                keys.putIfAbsent(header + '\0' + key, lineNo);
            }
        }
    }

    static TomlLines of(String text) {
        return new TomlLines(text);
    }

    /** {@code [[name]]} or {@code [name]} at the start of {@code line} (after blanks), name trimmed; null if none. */
    private static Header header(String line) {
        int i = 0;
        while (i < line.length() && isSpace(line.charAt(i))) {
            i++;
        }
        if (!line.startsWith("[", i)) {
            return null;
        }
        if (line.startsWith("[[", i)) {
            int close = line.indexOf(']', i + 2);
            if (close >= 0 && line.startsWith("]]", close)) {
                String name = line.substring(i + 2, close).strip();
                if (!name.isEmpty()) {
                    return new Header(name, true);
                }
            }
        }
        int close = line.indexOf(']', i + 1);
        if (close < 0) {
            return null;
        }
        String name = line.substring(i + 1, close).strip();
        return name.isEmpty() ? null : new Header(name, false);
    }

    /** The {@code \s} of regular expressions. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    /** The key of a {@code key =} line, unquoted; null if the line is none. */
    private static String key(String line) {
        Matcher m = KEY.matcher(line);
        return m.lookingAt() ? unquote(m.group(1)) : null;
    }

    /** The line of {@code [name]} or the first {@code [[name]]}, or of a sub-table {@code [name.x]}; 0 if none. */
    int table(String name) {
        Integer line = headers.get(name);
        if (line != null) {
            return line;
        }
        return headers.entrySet().stream()
                .filter(e -> e.getKey().startsWith(name + "."))
                .mapToInt(Map.Entry::getValue)
                .min()
                .orElse(0);
    }

    /** The line of the {@code occurrence}-th (1-based) {@code [[name]]}; 0 if none. */
    int arrayTable(String name, int occurrence) {
        return headers.getOrDefault(name + "#" + occurrence, 0);
    }

    /** The line of {@code key =} in {@code [table]} ("" for the top level), falling back to the table's line. */
    int key(String table, String key) {
        Integer line = keys.get(table + '\0' + key);
        return line != null ? line : table.isEmpty() ? 0 : table(table);
    }

    /** The line of {@code key =} in the {@code occurrence}-th {@code [[name]]}, falling back to its header line. */
    int arrayKey(String name, int occurrence, String key) {
        Integer line = keys.get(name + "#" + occurrence + '\0' + key);
        return line != null ? line : arrayTable(name, occurrence);
    }

    /**
     * The key line {@code lineNo} (1-based) sets, as messages name it: {@code vm.memory},
     * {@code device[2].path}, {@code name} at the top level; the table for a header line; ""
     * when the line is neither.
     */
    String keyOn(int lineNo) {
        Map<String, Integer> arrayCounts = new HashMap<>();
        String table = "";
        for (int i = 0; i < lineNo && i < lines.length; i++) {
            Header h = header(lines[i]);
            if (h != null) {
                table = h.array() ? h.name() + "[" + arrayCounts.merge(h.name(), 1, Integer::sum) + "]" : h.name();
                if (i == lineNo - 1) {
                    return table;
                }
                continue;
            }
            if (i == lineNo - 1) {
                String key = key(lines[i]);
                return key == null ? "" : table.isEmpty() ? key : table + "." + key;
            }
        }
        return "";
    }

    /** The first line containing {@code literal}; 0 if none. */
    int find(String literal) {
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(literal)) {
                return i + 1;
            }
        }
        return 0;
    }

    private static String unquote(String key) {
        if (key.length() >= 2 && (key.charAt(0) == '"' || key.charAt(0) == '\'')) {
            return key.substring(1, key.length() - 1);
        }
        return key;
    }
}
