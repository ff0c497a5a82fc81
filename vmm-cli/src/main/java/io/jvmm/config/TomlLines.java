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
 */
final class TomlLines {
    private static final Pattern ARRAY_HEADER = Pattern.compile("^\\s*\\[\\[\\s*([^\\]]+?)\\s*]]");
    private static final Pattern HEADER = Pattern.compile("^\\s*\\[\\s*([^\\]]+?)\\s*]");
    private static final Pattern KEY = Pattern.compile("^\\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\\s*=");

    /** Header id -> line. Plain tables are "name", the n-th array table is "name#n" (1-based). */
    private final Map<String, Integer> headers = new HashMap<>();
    /** Header id + '\0' + key -> line of the first {@code key =} under that header. */
    private final Map<String, Integer> keys = new HashMap<>();
    /** The text's lines, for {@link #find}. */
    private final String[] lines;

    private TomlLines(String text) {
        lines = text.split("\r?\n", -1);
        Map<String, Integer> arrayCounts = new HashMap<>();
        String header = "";
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            Matcher m = ARRAY_HEADER.matcher(lines[i]);
            if (m.find()) {
                String name = m.group(1);
                int n = arrayCounts.merge(name, 1, Integer::sum);
                header = name + "#" + n;
                headers.putIfAbsent(header, lineNo);
                headers.putIfAbsent(name, lineNo);
                continue;
            }
            m = HEADER.matcher(lines[i]);
            if (m.find()) {
                header = m.group(1);
                headers.putIfAbsent(header, lineNo);
                continue;
            }
            m = KEY.matcher(lines[i]);
            if (m.find()) {
                keys.putIfAbsent(header + '\0' + unquote(m.group(1)), lineNo);
            }
        }
    }

    static TomlLines of(String text) {
        return new TomlLines(text);
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
