package io.jvmm.vm;

import io.jvmm.boot.BootException;
import io.jvmm.boot.KernelImages;
import io.jvmm.boot.KernelLoader;
import io.jvmm.config.ConfigException;
import io.jvmm.config.ConfigKeys;
import io.jvmm.config.VmConfig;
import io.jvmm.host.HostCheck;
import io.jvmm.kvm.KvmException;
import io.jvmm.plugin.PluginRegistry;
import io.jvmm.spi.GuestMemoryException;

import java.util.Optional;

/** Checks the host, builds the VM from its config and runs it to the end. */
public final class VmLauncher {
    private final VmConfig config;
    private final PluginRegistry plugins;
    private final SerialConsole console;

    public VmLauncher(VmConfig config, PluginRegistry plugins, SerialConsole console) {
        this.config = config;
        this.plugins = plugins;
        this.console = console;
    }

    /**
     * Builds and runs the VM until the guest powers off or resets, or it fails.
     *
     * @throws HostUnsupportedException when this host cannot run VMs (nothing was started)
     * @throws ConfigException          when a device rejects its part of the config
     */
    public VmExit run() throws VmException, ConfigException {
        // The image is checked before the host, so "not a kernel" is reported on any machine.
        KernelLoader kernelImage;
        try {
            kernelImage = KernelImages.open(config.boot().kernel());
        } catch (BootException e) {
            throw new ConfigException(ConfigKeys.error(config, "boot", "kernel", e.getMessage()));
        }
        HostCheck host = HostCheck.fromSystem();
        Optional<String> problem = host.problem();
        if (problem.isPresent()) {
            throw new HostUnsupportedException(problem.get());
        }
        try (VmBuilder builder = new VmBuilder(config, kernelImage, plugins, console)) {
            try (Vm vm = builder.build(host.devicePath())) {
                return vm.run();
            }
        } catch (KvmException | GuestMemoryException e) {
            throw new VmException(e.getMessage(), e);
        }
    }
}
