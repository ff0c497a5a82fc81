package io.jvmm.spi;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One operation of a {@link DeviceCommands} device.
 *
 * @param name        what the user types, lower case with dashes, e.g. {@code target}
 * @param arguments   the arguments as the help shows them, e.g. {@code SIZE} (empty for none)
 * @param description one line for the help
 * @param action      runs the command; returns the text to show (may be empty)
 */
public record DeviceCommand(String name, String arguments, String description, Action action) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    /** What a command does. */
    @FunctionalInterface
    public interface Action {
        /**
         * @throws DeviceCommandException for arguments the command cannot take or a state it
         *         cannot act in; its message is shown to the user as one sentence
         */
        String run(List<String> arguments) throws DeviceCommandException;
    }

    public DeviceCommand {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a device command name is lower case letters, digits and dashes, "
                    + "starting with a letter, at most 32: " + name);
        }
        arguments = Objects.requireNonNullElse(arguments, "");
        description = Objects.requireNonNullElse(description, "");
        Objects.requireNonNull(action, "action");
    }
}
