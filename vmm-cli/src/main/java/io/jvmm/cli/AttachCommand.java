package io.jvmm.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvmm attach NAME}: the shell, attached to a running VM ({@code jvmm shell --attach NAME}). */
@Command(name = "attach", mixinStandardHelpOptions = true,
        header = "Open the shell on a VM running in another process.",
        description = "Every shell command (pause, snapshot, console, device, ...) then works on it; quitting the "
                + "shell leaves it running.")
final class AttachCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", completionCandidates = RunningVmNames.class, description = "The VM's name, as 'jvmm ls' shows it.")
    String name;

    @Option(names = {"-c", "--command"}, paramLabel = "COMMANDS", description = "Run COMMANDS on it, then leave.")
    String script;

    @Override
    public Integer call() {
        List<String> args = new ArrayList<>(List.of("shell", "--attach", name));
        if (script != null) {
            args.addAll(List.of("-c", script));
        }
        return JvmmCommand.commandLine().execute(args.toArray(String[]::new));
    }
}
