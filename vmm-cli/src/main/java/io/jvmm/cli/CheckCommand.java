package io.jvmm.cli;

import io.jvmm.config.ConfigLoader;
import io.jvmm.config.VmConfig;
import io.jvmm.plugin.DeviceCheck;
import io.jvmm.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jvmm check CONFIG}: validates a config without KVM. */
@Command(name = "check",
        mixinStandardHelpOptions = true,
        header = "Validate a VM config without starting it (no KVM needed).",
        description = {
            "Validates CONFIG without starting a VM (no KVM needed): TOML syntax, every key and value, "
                    + "that the kernel and initramfs exist, that each [[device]] type has a plugin, and the "
                    + "plugin's own keys.",
            "",
            "To check its keys, each plugin builds its device with no VM behind it, so it may open the "
                    + "files it names (disk images, logs). Prints '<CONFIG>: ok (...)', or every problem as "
                    + "'file:line: key ...', one per line.",
            "",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  jvmm check examples/configs/demo.toml",
            "  jvmm check --plugin-dir ~/jvmm-plugins examples/configs/debugcon.toml",
        })
final class CheckCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Parameters(index = "0", paramLabel = "CONFIG", description = "The VM config file (TOML).")
    private Path config;

    @Override
    public Integer call() throws Exception {
        VmConfig vm = ConfigLoader.load(config);
        PluginRegistry plugins = common.loadPlugins();
        int unchecked = DeviceCheck.dryRun(vm, plugins);
        String note = unchecked == 0 ? ""
                : "; keys of " + plural(unchecked, "device") + " could not be checked: the plugin failed (the warning above says why)";
        spec.commandLine().getOut().printf("%s: ok (%s, %d MiB, %s%s)%n", config,
                plural(vm.vm().vcpus(), "vCPU"), vm.vm().memoryMiB(), plural(vm.devices().size(), "device"), note);
        return ExitCodes.OK;
    }

    private static String plural(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
