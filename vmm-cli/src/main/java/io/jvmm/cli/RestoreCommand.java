package io.jvmm.cli;

import io.jvmm.config.SerialSection;
import io.jvmm.config.VmConfig;
import io.jvmm.console.Consoles;
import io.jvmm.plugin.DeviceCheck;
import io.jvmm.plugin.PluginRegistry;
import io.jvmm.vm.SerialConsole;
import io.jvmm.vm.VmExit;
import io.jvmm.vm.HostFileCheck;
import io.jvmm.vm.VmLauncher;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jvmm restore DIR}: runs a VM from a snapshot written by {@code run --snapshot-on-signal}, the shell or the API. */
@Command(name = "restore",
        mixinStandardHelpOptions = true,
        header = "Run a VM from a snapshot.",
        description = {
            "Checks the snapshot in DIR completely (checksums, versions, sizes, and that the kernel, initramfs "
                    + "and disk files its config names still exist), then rebuilds the VM from the saved config, "
                    + "reads the data pages of DIR/memory.bin into fresh guest RAM (checking their checksum again: "
                    + "the guest runs on the bytes that were checked, and the snapshot is not changed) "
                    + "and continues the guest where it was. A bad snapshot is one error line and exit code 4; "
                    + "nothing runs.",
            "",
            "The host files the config names must be the ones the snapshot recorded: a disk image or entropy "
                    + "source must be the same file (same path, real path, device and inode), an output file or "
                    + "socket the same path. A change is refused (exit code 4) unless --allow-changed-paths is "
                    + "given. --dry-run shows all of it without opening anything.",
            "",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  jvmm restore snap",
            "  jvmm restore --dry-run snap",
            "  jvmm restore --serial-file after.log --api-socket /tmp/vm.sock snap",
        })
final class RestoreCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Mixin
    private LifecycleOptions lifecycle;

    @Mixin
    private SeccompOption seccomp;

    @Mixin
    private ApiOptions api;

    @Parameters(index = "0", paramLabel = "DIR", description = "The snapshot directory.")
    private Path dir;

    @Option(names = "--serial", paramLabel = "MODE",
            description = "Where the guest's serial console goes: stdio, file (see --serial-file) or off. "
                    + "Default: as in the snapshot's config.")
    private String serialMode;

    @Option(names = "--serial-file", paramLabel = "FILE", description = "Write the serial console to FILE (truncated).")
    private Path serialFile;

    @Option(names = "--dry-run",
            description = "Check the snapshot and list what restore would open on the host (kernel, initramfs, disk "
                    + "images, taps, VFIO devices, console files and sockets, memory), with how each file compares "
                    + "with the snapshot's record; open nothing and start nothing (no /dev/kvm needed). Exit code 0 "
                    + "if restore would proceed.")
    private boolean dryRun;

    @Option(names = "--allow-changed-paths",
            description = "Restore even if a disk image or other file the snapshot's config names is no longer the "
                    + "file the snapshot recorded (another path, a symlink pointed elsewhere, a replaced file); "
                    + "each such file is named in a warning.")
    private boolean allowChangedPaths;

    @Override
    public Integer call() throws Exception {
        var err = spec.commandLine().getErr();
        VmLauncher.Restorable snap = VmLauncher.inspect(dir, LifecycleOptions.progressPrinter(err));
        VmConfig vm = snap.config().withSerial(serial(snap.config().serial()));
        // The serial file named on the command line replaces the snapshot's: that one is not opened.
        Set<String> notOpened = vm.serial().equals(snap.config().serial()) ? Set.of() : Set.of("serial.path");
        List<HostFileCheck.Finding> changed = snap.changedHostFiles(notOpened);
        PluginRegistry plugins = common.loadPlugins();
        if (dryRun) {
            new RestorePlan(snap, vm, notOpened).print(spec.commandLine().getOut());
        }
        DeviceCheck.checkTypes(vm, plugins);
        if (allowChangedPaths) {
            for (HostFileCheck.Finding f : changed) {
                LifecycleOptions.say(err, "warning: restoring although " + f.problem().orElseThrow()
                        + " (--allow-changed-paths)");
            }
        } else {
            VmLauncher.refuseChanged(snap, changed);
        }
        if (dryRun) {
            spec.commandLine().getOut().println("restore would proceed; nothing was opened (--dry-run)");
            return ExitCodes.OK;
        }
        seccomp.apply();
        VmExit exit;
        try (ApiLaunch apiLaunch = api.prepare(vm.vm().name(), String.valueOf(vm.source()));
             SerialConsole console = apiLaunch.console(open(vm.serial()))) {
            exit = VmLauncher.restore(snap, vm, plugins, console, apiLaunch.onStart(lifecycle.wiring(err)),
                    apiLaunch::deviceEvent);
            apiLaunch.ended(exit);
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
