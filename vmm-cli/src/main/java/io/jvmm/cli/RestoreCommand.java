package io.jvmm.cli;

import io.jvmm.config.SerialSection;
import io.jvmm.config.VmConfig;
import io.jvmm.console.Consoles;
import io.jvmm.plugin.DeviceCheck;
import io.jvmm.plugin.PluginRegistry;
import io.jvmm.vm.SerialConsole;
import io.jvmm.vm.Vm;
import io.jvmm.vm.VmExit;
import io.jvmm.vm.VmLauncher;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jvmm restore DIR}: runs a VM from a snapshot written by {@code run --snapshot-on-signal} or the control pipe. */
@Command(name = "restore",
        mixinStandardHelpOptions = true,
        header = "Run a VM from a snapshot.",
        description = {
            "Checks the snapshot in DIR completely (checksums, versions, sizes, and that the kernel, initramfs "
                    + "and disk files its config names still exist), then rebuilds the VM from the saved config, "
                    + "maps guest memory lazily from DIR/memory.bin (copy-on-write: the snapshot is not changed) "
                    + "and continues the guest where it was. A bad snapshot is one error line and exit code 4; "
                    + "nothing runs.",
            "",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  jvmm restore snap",
            "  jvmm restore --serial-file after.log --control /tmp/vm.ctl snap",
        })
final class RestoreCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Mixin
    private LifecycleOptions lifecycle;

    @Parameters(index = "0", paramLabel = "DIR", description = "The snapshot directory.")
    private Path dir;

    @Option(names = "--serial", paramLabel = "MODE",
            description = "Where the guest's serial console goes: stdio, file (see --serial-file) or off. "
                    + "Default: as in the snapshot's config.")
    private String serialMode;

    @Option(names = "--serial-file", paramLabel = "FILE", description = "Write the serial console to FILE (truncated).")
    private Path serialFile;

    @Override
    public Integer call() throws Exception {
        var err = spec.commandLine().getErr();
        VmLauncher.Restorable snap = VmLauncher.check(dir, LifecycleOptions.progressPrinter(err));
        VmConfig vm = snap.config().withSerial(serial(snap.config().serial()));
        PluginRegistry plugins = common.loadPlugins();
        DeviceCheck.checkTypes(vm, plugins);
        VmExit exit;
        try (SerialConsole console = open(vm.serial())) {
            exit = VmLauncher.restore(snap, vm, plugins, console,
                    control -> lifecycle.wiring(err, ((Vm) control)::requestStop).accept(control));
        }
        err.println(RunCommand.message(exit));
        return ExitCodes.forVmExit(exit);
    }

    private SerialSection serial(SerialSection fromConfig) {
        if (serialFile != null) {
            return SerialSection.file(serialFile.toAbsolutePath());
        }
        if (serialMode == null) {
            return fromConfig;
        }
        return switch (serialMode.strip().toLowerCase()) {
            case "stdio" -> SerialSection.STDIO;
            case "off" -> SerialSection.OFF;
            case "file" -> fromConfig;
            default -> throw new UsageException("--serial: expected stdio, file or off, not '" + serialMode + "'");
        };
    }

    private static SerialConsole open(SerialSection serial) {
        try {
            return Consoles.open(serial);
        } catch (IOException e) {
            throw new UsageException("cannot open the serial output: " + e.getMessage());
        }
    }
}
