package io.jvmm.config;

import com.moandjiezana.toml.Toml;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a VM config file: TOML syntax first (toml4j), then the meaning of every table
 * ({@link VmConfigReader}). Either returns a complete, valid {@link VmConfig} or throws a
 * {@link ConfigException} listing every problem found, one line each.
 */
public final class ConfigLoader {
    /**
     * No {@code \s*} in front: toml4j's message quotes the user's text, blanks and all, and that
     * backtracks. At most 9 digits and no digit after: toml4j runs its messages together, so
     * "... on line 1" can be followed by the next message, which starts with a key such as
     * "8000...": that run of digits is no line number (Integer.parseInt threw on it).
     */
    private static final Pattern ON_LINE = Pattern.compile(" on line (\\d{1,9})(?!\\d)");
    private static final Pattern NUMBER_INPUT = Pattern.compile("For input string: \"([0-9+-]+)\"");

    private ConfigLoader() {
    }

    /** Reads and validates {@code file}; relative paths inside it resolve against its directory. */
    public static VmConfig load(Path file) throws ConfigException {
        return load(file, readText(file));
    }

    /**
     * The text of the config file {@code file}, read no further than {@link TomlLimits#MAX_BYTES}
     * (a FIFO or /dev/zero ends there too) and decoded as strict UTF-8.
     *
     * @throws ConfigException naming the file when it cannot be read, is too large or is not UTF-8
     */
    public static String readText(Path file) throws ConfigException {
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                throw fileError(file, "is a directory, not a config file");
            }
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(TomlLimits.MAX_BYTES + 1);
            }
        } catch (NoSuchFileException e) {
            throw fileError(file, "no such file");
        } catch (IOException e) {
            throw fileError(file, "cannot read: " + e.getMessage());
        }
        if (bytes.length > TomlLimits.MAX_BYTES) {
            throw fileError(file, "it is more than " + TomlLimits.MAX_BYTES / 1024 + " KiB, the most a config may be");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw fileError(file, "not UTF-8 text");
        }
    }

    /**
     * Validates {@code text} as if it had been read from {@code file}: the config of a snapshot
     * comes this way, through the same limits as a file ({@link TomlLimits}).
     */
    public static VmConfig load(Path file, String text) throws ConfigException {
        ConfigSource source = new ConfigSource(file, checkSize(file, text));
        return VmConfigReader.read(source, document(source, text));
    }

    /**
     * Only the [[device]] tables of {@code text}, read as {@link #load(Path, String)} reads them
     * (same limits, TOML parser, ids and error placement) but without requiring [vm] or [boot]:
     * what a plugin's unit test needs to hand its factory the {@code DeviceConfig} jvmm would
     * (jvmm-plugin-testkit's {@code DeviceConfigs}). Paths resolve against {@code file}'s directory.
     */
    public static List<DeviceSection> loadDevices(Path file, String text) throws ConfigException {
        ConfigSource source = new ConfigSource(file, checkSize(file, text));
        return VmConfigReader.readDevices(source, document(source, text));
    }

    private static String checkSize(Path file, String text) throws ConfigException {
        String tooLong = TomlLimits.sizeProblem(text.length());
        if (tooLong != null) {
            throw fileError(file, tooLong);
        }
        return text;
    }

    /** The bounded pre-scan, toml4j, and the check for control characters in values. */
    private static Map<String, Object> document(ConfigSource source, String text) throws ConfigException {
        List<ConfigError> problems = TomlLimits.problems(source, text);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        Map<String, Object> document = parse(source, TomlLimits.parseable(text));
        problems = TomlLimits.controlCharactersIn(source, document);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return document;
    }

    private static Map<String, Object> parse(ConfigSource source, String text) throws ConfigException {
        try {
            return new Toml().read(text).toMap();
        } catch (NumberFormatException e) {
            Matcher m = NUMBER_INPUT.matcher(String.valueOf(e.getMessage()));
            if (!m.find()) {
                throw syntaxError(source, e);
            }
            String number = m.group(1);
            int line = source.lines().find(number);
            throw new ConfigException(source.error(line, "",
                    "invalid TOML: number " + number + " out of range (expected an integer that fits in 64 bits)"));
        } catch (RuntimeException e) {
            throw syntaxError(source, e);
        }
    }

    /**
     * toml4j reports {@code Invalid value on line 3: memory = abc} followed by the rest of the
     * text; keep the first line and move the line number to the front.
     */
    private static ConfigException syntaxError(ConfigSource source, RuntimeException e) {
        String message = String.valueOf(e.getMessage()).strip();
        int newline = message.indexOf('\n');
        if (newline >= 0) {
            message = message.substring(0, newline).strip();
        }
        int line = 0;
        Matcher m = ON_LINE.matcher(message);
        if (m.find()) {
            line = Integer.parseInt(m.group(1));
            message = message.substring(0, m.start()) + message.substring(m.end());
        }
        if (message.startsWith("Invalid value") || message.startsWith("Invalid text after key")) {
            // The usual cause: an unquoted size or path, e.g. memory = 512M.
            message = message.replaceAll("\\.$", "")
                    + " (expected a string in quotes such as \"512M\", a number, true or false, or an array)";
        }
        return new ConfigException(source.error(line, "", "invalid TOML: " + message));
    }

    private static ConfigException fileError(Path file, String problem) {
        return new ConfigException(new ConfigError(file, 0, "", "cannot read the config: " + problem));
    }
}
