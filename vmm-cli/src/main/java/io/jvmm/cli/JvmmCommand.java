package io.jvmm.cli;

import io.jvmm.host.CompilerThreads;
import io.jvmm.kvm.JnaStartup;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
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

    /**
     * Every subcommand by name, in the order {@code --help} lists them. Registered here rather
     * than in {@code @Command(subcommands)} so that a start builds only the one it runs (see
     * {@link #commandLineFor}); {@code JvmmCommandTest} checks each name against its class's
     * {@code @Command}.
     */
    static final Map<String, Class<?>> SUBCOMMANDS = subcommands();

    private static Map<String, Class<?>> subcommands() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("run", RunCommand.class);
        m.put("restore", RestoreCommand.class);
        m.put("shell", io.jvmm.shell.ShellCommand.class);
        m.put("ls", LsCommand.class);
        m.put("pause", VmClientCommands.Pause.class);
        m.put("resume", VmClientCommands.Resume.class);
        m.put("snapshot", VmClientCommands.Snapshot.class);
        m.put("shutdown", VmClientCommands.Shutdown.class);
        m.put("info", VmClientCommands.Info.class);
        m.put("device", VmClientCommands.Device.class);
        m.put("console", ConsoleCommand.class);
        m.put("attach", AttachCommand.class);
        m.put("check", CheckCommand.class);
        m.put("plugins", PluginsCommand.class);
        m.put("completion", CompletionCommand.class);
        m.put("help", CommandLine.HelpCommand.class);
        return Collections.unmodifiableMap(m);
    }

    /** Subcommands that need all the others: help lists or describes them, completion scripts them. */
    private static final Set<String> NEED_ALL = Set.of("help", "completion");

    public static void main(String[] args) {
        io.jvmm.vm.StartupTimeline.mark("main"); // makes no logger: --log-level is applied next
        if (printVersionIfAsked(args, System.out)) {
            System.exit(ExitCodes.OK);
        }
        JnaStartup.skipLdconfig();
        PicocliStartup.skipUnusedConverters();
        LogLevel.applyFromArgs(Arrays.asList(args));
        CompilerThreads.lowerPriority(); // before the work they would compete with (a no-op under -Xint)
        Detach.rememberArgs(args);
        System.exit(commandLineFor(args).execute(args));
    }

    /**
     * {@code jvmm --version} (or {@code -V}) alone prints the version without building picocli's
     * model: that model is made by reflection over annotations, whose instances are proxy classes
     * generated at run time (no class-data archive holds them), and it was half of this command's
     * CPU time. The lines are {@link ManifestVersionProvider}'s, as {@code --version} after other
     * words still prints them through picocli.
     *
     * @return whether it printed
     */
    static boolean printVersionIfAsked(String[] args, java.io.PrintStream out) {
        if (args.length != 1 || !(args[0].equals("--version") || args[0].equals("-V"))) {
            return false;
        }
        for (String line : new ManifestVersionProvider().getVersion()) {
            out.println(line);
        }
        out.flush();
        return true;
    }

    /** The configured command line with every subcommand (exit codes, error reporting); tests use this too. */
    public static CommandLine commandLine() {
        return configured(SUBCOMMANDS.keySet());
    }

    /**
     * The command line for {@code args}: when their first word names a subcommand, with that
     * one alone. picocli builds each command's model by reflection over its options and mixins,
     * and building all sixteen was most of a client command's start (in the nested test host,
     * "command line parsed" of {@code jvmm run} went from 3.1-3.5 s to 2.0-2.1 s). Anything
     * else (no command, {@code --help}, a typo that picocli
     * answers with "did you mean") gets them all; {@code --version} alone never gets here
     * ({@link #printVersionIfAsked}).
     */
    static CommandLine commandLineFor(String[] args) {
        String first = args.length > 0 ? args[0] : "";
        if (SUBCOMMANDS.containsKey(first) && !NEED_ALL.contains(first)) {
            return configured(Set.of(first));
        }
        return commandLine();
    }

    private static CommandLine configured(Set<String> names) {
        CommandLine cl = new CommandLine(new JvmmCommand());
        SUBCOMMANDS.forEach((name, type) -> {
            if (names.contains(name)) {
                cl.addSubcommand(name, type);
            }
        });
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(new ErrorReporter());
        cl.setExitCodeExceptionMapper(new ExitCodes.Mapper());
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
