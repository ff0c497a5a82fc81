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

import io.jvmm.config.ConfigLoader;
import io.jvmm.snapshot.MemoryImage;
import io.jvmm.snapshot.Snapshot;
import io.jvmm.snapshot.SnapshotConfig;
import io.jvmm.snapshot.SnapshotException;
import io.jvmm.snapshot.SnapshotDirWriter;
import io.jvmm.snapshot.SnapshotFile;
import io.jvmm.snapshot.SnapshotProgress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

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
        return run(control -> { });
    }

    /** Like {@link #run()}; {@code onStart} gets the VM's control just before the vCPUs start. */
    public VmExit run(Consumer<VmControl> onStart) throws VmException, ConfigException {
        String toml;
        try {
            toml = config.source() == null ? "" : ConfigLoader.readText(config.source());
        } catch (ConfigException e) {
            toml = "";
        }
        SnapshotConfig recorded = new SnapshotConfig(String.valueOf(config.source()), toml, config.vm().memoryBytes(),
                config.vm().vcpus());
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
        try (VmBuilder builder = new VmBuilder(config, kernelImage, plugins, console).snapshotConfig(recorded)) {
            try (Vm vm = builder.build(host.devicePath())) {
                onStart.accept(vm);
                return vm.run();
            }
        } catch (KvmException | GuestMemoryException e) {
            throw new VmException(e.getMessage(), e);
        }
    }

    /**
     * Reads and checks the snapshot in {@code dir} and the config it was taken with (every
     * check before anything touches KVM): the state file's checksums and versions, the memory
     * file, and that the files the config names still exist.
     */
    public static Restorable check(Path dir, SnapshotProgress progress) throws SnapshotException {
        if (Files.isRegularFile(dir.resolve(SnapshotFile.STATE_FILE)) && !SnapshotDirWriter.isComplete(dir)) {
            throw new SnapshotException("snapshot " + dir + " is incomplete (no '" + SnapshotDirWriter.COMPLETE_FILE
                    + "' marker): it was written or copied only partly; nothing was started");
        }
        Snapshot snapshot = SnapshotFile.read(dir);
        SnapshotConfig saved = snapshot.config();
        VmConfig config;
        try {
            config = ConfigLoader.load(Path.of(saved.sourcePath()), saved.toml());
        } catch (java.nio.file.InvalidPathException e) {
            throw new SnapshotException("snapshot " + dir + ": the path of its config is not a path: " + e.getMessage());
        } catch (ConfigException e) {
            throw new SnapshotException("snapshot " + dir + ": its config is no longer valid: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        if (config.vm().memoryBytes() != saved.memoryBytes() || config.vm().vcpus() != saved.vcpus()) {
            throw new SnapshotException("snapshot " + dir + ": config has " + config.vm().memoryBytes() + " bytes and "
                    + config.vm().vcpus() + " vCPUs, the snapshot " + saved.memoryBytes() + " and " + saved.vcpus());
        }
        requireFile(dir, "kernel", config.boot().kernel());
        if (config.boot().initramfs().isPresent()) {
            requireFile(dir, "initramfs", config.boot().initramfs().get());
        }
        MemoryImage.verify(dir, snapshot.memory(), progress);
        return new Restorable(dir, snapshot, config);
    }

    private static void requireFile(Path dir, String what, Path file) throws SnapshotException {
        if (!Files.isReadable(file)) {
            throw new SnapshotException("snapshot " + dir + ": the config's " + what + " " + file
                    + " is missing or unreadable; nothing was started");
        }
    }

    /** A checked snapshot, ready to be restored with {@link #restore}. */
    public record Restorable(Path dir, Snapshot snapshot, VmConfig config) {
    }

    /** Rebuilds the VM from a checked snapshot (serial from {@code config}) and runs it. */
    public static VmExit restore(Restorable snap, VmConfig config, PluginRegistry plugins, SerialConsole console,
                                 Consumer<VmControl> onStart) throws VmException, ConfigException {
        HostCheck host = HostCheck.fromSystem();
        Optional<String> problem = host.problem();
        if (problem.isPresent()) {
            throw new HostUnsupportedException(problem.get());
        }
        try (VmBuilder builder = new VmBuilder(config, null, plugins, console)
                .restoreFrom(snap.snapshot(), snap.dir())) {
            try (Vm vm = builder.build(host.devicePath())) {
                onStart.accept(vm);
                return vm.run();
            }
        } catch (KvmException | GuestMemoryException e) {
            throw new VmException(e.getMessage(), e);
        }
    }
}
