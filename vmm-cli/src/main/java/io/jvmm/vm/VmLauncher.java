package io.jvmm.vm;

import io.jvmm.boot.BootException;
import io.jvmm.boot.KernelImages;
import io.jvmm.boot.KernelLoader;
import io.jvmm.config.ConfigException;
import io.jvmm.control.VmControl;
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
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Checks the host, builds the VM from its config and runs it to the end. */
public final class VmLauncher {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(VmLauncher.class);
    private final VmConfig config;
    private final PluginRegistry plugins;
    private final SerialConsole console;
    private DeviceEventSink deviceEvents = DeviceEventSink.NONE;

    public VmLauncher(VmConfig config, PluginRegistry plugins, SerialConsole console) {
        this.config = config;
        this.plugins = plugins;
        this.console = console;
    }

    /** Where the devices' reported events go besides the log (the API's event stream). */
    public VmLauncher deviceEvents(DeviceEventSink sink) {
        this.deviceEvents = sink;
        return this;
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
        // Absolute, so that the relative paths in the config resolve the same way at restore,
        // whatever the directory jvmm restore runs in.
        SnapshotConfig recorded = new SnapshotConfig(config.source().toAbsolutePath().normalize().toString(), toml, config.vm().memoryBytes(),
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
        try (VmBuilder builder = new VmBuilder(config, kernelImage, plugins, console).snapshotConfig(recorded)
                .deviceEvents(deviceEvents)) {
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
     * file, that the files the config names still exist, and that they are the files the
     * snapshot recorded (see {@link HostFileCheck}); a changed one is refused.
     */
    public static Restorable check(Path dir, SnapshotProgress progress) throws SnapshotException {
        return check(dir, progress, false);
    }

    /** Like {@link #check(Path, SnapshotProgress)}; with {@code allowChangedPaths} a changed host file is not refused. */
    public static Restorable check(Path dir, SnapshotProgress progress, boolean allowChangedPaths)
            throws SnapshotException {
        Restorable snap = inspect(dir, progress);
        List<HostFileCheck.Finding> changed = snap.changedHostFiles(java.util.Set.of());
        if (!allowChangedPaths) {
            refuseChanged(snap, changed);
        }
        for (HostFileCheck.Finding f : changed) {
            LOG.warn("restoring although {} (allowed)", f.problem().orElseThrow());
        }
        return snap;
    }

    /** Throws naming the first of {@code changed} (host files restore would refuse), if any. */
    public static void refuseChanged(Restorable snap, List<HostFileCheck.Finding> changed) throws SnapshotException {
        if (!changed.isEmpty()) {
            throw new SnapshotException("snapshot " + snap.dir() + ": " + changed.get(0).problem().orElseThrow()
                    + (changed.size() > 1 ? " (and " + (changed.size() - 1) + " more: jvmm restore --dry-run lists them)"
                    : "") + "; nothing was started (--allow-changed-paths restores anyway)");
        }
    }

    /**
     * Every check of {@link #check} but the refusal of changed host files: the findings are in
     * the result, for {@code jvmm restore --dry-run} to show.
     */
    public static Restorable inspect(Path dir, SnapshotProgress progress) throws SnapshotException {
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
        List<HostResource> resources = HostResource.of(config);
        List<HostFileCheck.Finding> findings = HostFileCheck.check(snapshot.hostFiles(), resources);
        MemoryImage.verify(dir, snapshot.memory(), progress);
        return new Restorable(dir, snapshot, config, resources, findings);
    }

    private static void requireFile(Path dir, String what, Path file) throws SnapshotException {
        if (!Files.isReadable(file)) {
            throw new SnapshotException("snapshot " + dir + ": the config's " + what + " " + file
                    + " is missing or unreadable; nothing was started");
        }
    }

    /**
     * A checked snapshot, ready to be restored with {@link #restore}.
     *
     * @param resources what its config names on the host
     * @param hostFiles how the files among them compare with the snapshot's record
     */
    public record Restorable(Path dir, Snapshot snapshot, VmConfig config, List<HostResource> resources,
                             List<HostFileCheck.Finding> hostFiles) {
        public Restorable {
            resources = List.copyOf(resources);
            hostFiles = List.copyOf(hostFiles);
        }

        /** The changes restore refuses, but for keys restore will not open (overridden on the command line). */
        public List<HostFileCheck.Finding> changedHostFiles(java.util.Set<String> notOpened) {
            return HostFileCheck.refused(hostFiles).stream()
                    .filter(f -> !notOpened.contains(f.resource().key())).toList();
        }
    }

    /** Rebuilds the VM from a checked snapshot (serial from {@code config}) and runs it. */
    public static VmExit restore(Restorable snap, VmConfig config, PluginRegistry plugins, SerialConsole console,
                                 Consumer<VmControl> onStart) throws VmException, ConfigException {
        return restore(snap, config, plugins, console, onStart, DeviceEventSink.NONE);
    }

    /** Like the other; the devices' reported events also go to {@code deviceEvents}. */
    public static VmExit restore(Restorable snap, VmConfig config, PluginRegistry plugins, SerialConsole console,
                                 Consumer<VmControl> onStart, DeviceEventSink deviceEvents)
            throws VmException, ConfigException {
        HostCheck host = HostCheck.fromSystem();
        Optional<String> problem = host.problem();
        if (problem.isPresent()) {
            throw new HostUnsupportedException(problem.get());
        }
        try (VmBuilder builder = new VmBuilder(config, null, plugins, console)
                .restoreFrom(snap.snapshot(), snap.dir()).deviceEvents(deviceEvents)) {
            try (Vm vm = builder.build(host.devicePath())) {
                onStart.accept(vm);
                return vm.run();
            }
        } catch (KvmException | GuestMemoryException e) {
            throw new VmException(e.getMessage(), e);
        }
    }
}
