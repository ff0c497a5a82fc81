package io.jvmm.shell;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.cli.JvmmCommand;
import io.jvmm.cli.PicocliStartup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;

/**
 * jvmm starts with picocli's built-in converters for {@code java.time} and {@code java.sql}
 * types switched off ({@link PicocliStartup}): no option or parameter of the CLI or of the
 * shell may have such a type, or it would fail to parse. In this package to reach the shell's
 * commands.
 */
class PicocliStartupTest {

    @Test
    void noOptionOfTheCliOrTheShellHasATypeWhoseConverterIsSkipped() {
        List<String> types = new ArrayList<>();
        collect(JvmmCommand.commandLine(), types);
        collect(new CommandLine(new ShellCommands(null)), types);
        List<String> patterns = Arrays.asList(PicocliStartup.UNUSED_CONVERTERS.split(","));

        assertThat(types).as("option and parameter types").hasSizeGreaterThan(30)
                .contains("java.nio.file.Path", "java.lang.String")
                .noneMatch(t -> patterns.stream().anyMatch(t::matches));
    }

    /** The check above can fail: a java.time option is caught. */
    @Test
    void aDurationOptionWouldBeCaught() {
        class WithDuration {
            @CommandLine.Option(names = "--timeout")
            java.time.Duration timeout;
        }
        List<String> types = new ArrayList<>();
        collect(new CommandLine(new WithDuration()), types);
        assertThat(types).anyMatch(t -> t.matches(PicocliStartup.UNUSED_CONVERTERS.split(",")[0]));
    }

    private static void collect(CommandLine cl, List<String> types) {
        for (ArgSpec arg : cl.getCommandSpec().args()) {
            types.add(arg.type().getName());
            for (Class<?> aux : arg.auxiliaryTypes()) {
                types.add(aux.getName());
            }
        }
        cl.getSubcommands().values().forEach(sub -> collect(sub, types));
    }
}
