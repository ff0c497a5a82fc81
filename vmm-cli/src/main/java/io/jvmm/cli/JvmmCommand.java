package io.jvmm.cli;

import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jvmm}: the entry point; the work is done by one subcommand class each. */
@Command(name = "jvmm",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersionProvider.class,
        subcommands = {RunCommand.class, RestoreCommand.class, io.jvmm.shell.ShellCommand.class, LsCommand.class,
            VmClientCommands.Pause.class, VmClientCommands.Resume.class, VmClientCommands.Snapshot.class,
            VmClientCommands.Shutdown.class, VmClientCommands.Info.class, VmClientCommands.Device.class,
            ConsoleCommand.class, AttachCommand.class, CheckCommand.class, PluginsCommand.class, CompletionCommand.class,
            CommandLine.HelpCommand.class},
        description = {
            "A virtual machine monitor for Linux/KVM: boots a Linux guest described by a TOML config file. "
                    + "The guest's serial console is on this terminal by default; Ctrl-A x stops the VM.",
            "",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  jvmm run examples/configs/demo.toml      boot the demo VM on this terminal",
            "  jvmm run --serial-file boot.log vm.toml  serial output to a file instead",
            "  jvmm run --snapshot-on-signal snap vm.toml  kill -USR1 PID writes a snapshot",
            "  jvmm restore snap                        run the VM from that snapshot",
            "  jvmm shell vm.toml                       interactive: pause, snapshot, console, ...",
            "  jvmm run --detach vm.toml                boot in the background; then from anywhere:",
            "  jvmm ls                                  this user's running VMs",
            "  jvmm pause|resume|info|shutdown NAME     drive one through its API socket",
            "  jvmm snapshot NAME DIR                   snapshot it (it keeps running)",
            "  jvmm console NAME                        attach to its serial console (Ctrl-] detaches)",
            "  jvmm check vm.toml                       validate a config, no KVM needed",
            "  jvmm plugins                             list the device types you can use",
            "  jvmm help run                            the options of one command",
            "",
            "Environment:",
            "  JVMM_PLUGIN_PATH  ':'-separated directories of extra plugin jars",
            "  JVMM_HISTORY      the shell's history file (default ~/.jvmm_history)",
        })
public final class JvmmCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        io.jvmm.vm.StartupTimeline.mark("main"); // makes no logger: --log-level is applied next
        LogLevel.applyFromArgs(Arrays.asList(args));
        Detach.rememberArgs(args);
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (exit codes, error reporting); tests use this too. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new JvmmCommand());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(new ErrorReporter());
        cl.setExitCodeExceptionMapper(ExitCodes::forException);
        documentExitCodes(cl);
        return cl;
    }

    private static void documentExitCodes(CommandLine cl) {
        if (!(cl.getCommand() instanceof CommandLine.HelpCommand)) {
            cl.getCommandSpec().usageMessage()
                    .exitCodeListHeading("%nExit codes:%n")
                    .exitCodeList(ExitCodes.descriptions());
        }
        cl.getSubcommands().values().forEach(JvmmCommand::documentExitCodes);
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command: run, restore, shell, ls, pause, resume, snapshot, shutdown, info, device, console, check, plugins or completion");
    }
}
