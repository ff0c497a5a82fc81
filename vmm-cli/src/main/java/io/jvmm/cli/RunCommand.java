package io.jvmm.cli;

import io.jvmm.config.ConfigLoader;
import io.jvmm.config.SerialSection;
import io.jvmm.config.VmConfig;
import io.jvmm.console.Consoles;
import io.jvmm.plugin.DeviceCheck;
import io.jvmm.plugin.PluginRegistry;
import io.jvmm.vm.SerialConsole;
import io.jvmm.vm.StartupTimeline;
import io.jvmm.vm.VmExit;
import io.jvmm.vm.VmLauncher;
import java.io.IOException;
import java.util.List;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jvmm run CONFIG}: boots the VM and waits until the guest powers off or resets. */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        header = "Boot a VM and run it until the guest powers off or reboots.",
        description = {
            "Boots the VM described by CONFIG and runs it until the guest powers off or reboots. "
                    + "The config is checked completely before anything touches KVM.",
            "",
            "With the serial console on this terminal (the default) the terminal is in raw mode while "
                    + "the guest runs: Ctrl-C goes to the guest, Ctrl-A x stops the VM, Ctrl-A Ctrl-A sends "
                    + "a Ctrl-A. A reboot ends jvmm too (exit code 0): run it again to boot again.",
            "",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  jvmm run examples/configs/demo.toml",
            "  jvmm run --serial-file serial.log vm.toml",
            "  jvmm run --cmdline-append 'loglevel=8' --log-level debug vm.toml",
            "  jvmm run --serial off vm.toml < /dev/null",
        })
final class RunCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Parameters(index = "0", paramLabel = "CONFIG", description = "The VM config file (TOML), e.g. examples/configs/demo.toml.")
    private Path config;

    @Option(names = "--serial", paramLabel = "MODE",
            description = "Where the guest's serial console goes: stdio (this terminal), file (see --serial-file) "
                    + "or off. Overrides [serial] mode.")
    private String serialMode;

    @Option(names = "--serial-file", paramLabel = "FILE",
            description = "Write the serial console to FILE (truncated), no input. Implies --serial file.")
    private Path serialFile;

    @Mixin
    private LifecycleOptions lifecycle;

    @Mixin
    private SeccompOption seccomp;

    @Mixin
    private ApiOptions api;

    @Option(names = "--detach",
            description = "Start the VM in the background (its own process, no terminal; a serial console on stdio "
                    + "becomes 'off', reachable with 'jvmm console NAME'), print its name and API socket once it "
                    + "answers, and return. Its output goes to NAME.log beside the socket.")
    private boolean detach;

    @Option(names = "--cmdline-append", paramLabel = "TEXT",
            description = "Append TEXT to the kernel command line from [boot] cmdline.")
    private String cmdlineAppend;

    @Override
    public Integer call() throws Exception {
        StartupTimeline.mark("command line parsed");
        VmConfig vm = ConfigLoader.load(config);
        vm = vm.withSerial(serial(vm.serial())).withBoot(vm.boot().withCmdlineAppended(cmdlineAppend));
        StartupTimeline.mark("config read");
        if (detach) {
            return detach(vm);
        }
        PluginRegistry plugins = common.loadPlugins();
        DeviceCheck.checkTypes(vm, plugins);
        seccomp.apply();
        StartupTimeline.mark("plugins loaded");
        VmExit exit;
        try (ApiLaunch apiLaunch = api.prepare(vm.vm().name(), config.toAbsolutePath().toString());
             SerialConsole console = apiLaunch.console(openConsole(vm.serial()))) {
            VmLauncher launcher = new VmLauncher(vm, plugins, console).deviceEvents(apiLaunch::deviceEvent);
            exit = launcher.run(apiLaunch.onStart(lifecycle.wiring(spec.commandLine().getErr())));
            apiLaunch.ended(exit);
        }
        spec.commandLine().getErr().println(message(exit));
        return ExitCodes.forVmExit(exit);
    }

    private int detach(VmConfig vm) throws Exception {
        java.nio.file.Path socket = api.path(vm.vm().name());
        List<String> extra = vm.serial().mode() == SerialSection.Mode.STDIO ? List.of("--serial", "off") : List.of();
        long pid = Detach.again(vm.vm().name(), socket, extra);
        spec.commandLine().getOut().println(vm.vm().name() + " " + socket);
        spec.commandLine().getErr().println("jvmm: " + vm.vm().name() + " runs in the background (pid " + pid
                + "); 'jvmm console " + vm.vm().name() + "' attaches, 'jvmm shutdown " + vm.vm().name() + "' ends it");
        return ExitCodes.OK;
    }

    /** The one line printed when the guest ends. */
    static String message(VmExit exit) {
        return switch (exit) {
            case POWER_OFF -> "jvmm: guest powered off";
            case STOPPED_BY_USER -> "jvmm: VM stopped from the console (Ctrl-A x)";
            case RESET -> "jvmm: guest reset (reboot)";
            case TRIPLE_FAULT -> "jvmm: guest triple-faulted: the VM is stopped (exit code 5)";
            case SNAPSHOT_THEN_EXIT -> "jvmm: snapshot taken; VM stopped";
        };
    }

    /** The config's [serial] with --serial and --serial-file applied. */
    SerialSection serial(SerialSection fromConfig) {
        SerialSection.Mode mode = serialMode == null ? null : parseMode(serialMode);
        if (serialFile != null) {
            if (mode != null && mode != SerialSection.Mode.FILE) {
                throw new ParameterException(spec.commandLine(),
                        "--serial-file goes with --serial file (or alone), not --serial " + serialMode);
            }
            return SerialSection.file(serialFile.toAbsolutePath());
        }
        if (mode == null) {
            return fromConfig;
        }
        return switch (mode) {
            case STDIO -> SerialSection.STDIO;
            case OFF -> SerialSection.OFF;
            case FILE -> {
                if (fromConfig.mode() != SerialSection.Mode.FILE) {
                    throw new ParameterException(spec.commandLine(),
                            "--serial file needs --serial-file FILE (the config has no [serial] path)");
                }
                yield fromConfig;
            }
        };
    }

    private SerialSection.Mode parseMode(String text) {
        for (SerialSection.Mode m : SerialSection.Mode.values()) {
            if (m.configName().equalsIgnoreCase(text.strip())) {
                return m;
            }
        }
        throw new ParameterException(spec.commandLine(),
                "Invalid value for option '--serial': '" + text + "' (expected stdio, file or off)");
    }

    private static SerialConsole openConsole(SerialSection serial) {
        try {
            return Consoles.open(serial);
        } catch (IOException e) {
            throw new UsageException("cannot open the serial output " + serial.path().map(Path::toString).orElse("")
                    + ": " + e.getMessage());
        }
    }
}
