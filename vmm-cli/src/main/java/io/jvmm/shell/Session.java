package io.jvmm.shell;

import io.jvmm.api.ApiClient;
import io.jvmm.api.RemoteVm;
import io.jvmm.config.ConfigLoader;
import io.jvmm.config.VmConfig;
import io.jvmm.plugin.DeviceCheck;
import io.jvmm.plugin.PluginRegistry;
import io.jvmm.snapshot.SnapshotProgress;
import io.jvmm.control.VmControl;
import io.jvmm.vm.VmExit;
import io.jvmm.vm.VmLauncher;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The shell's one VM at a time: started in the background through {@link VmLauncher} (its
 * {@link VmLauncher#run} blocks on a "jvmm-vm" thread), controlled through its
 * {@link VmControl}, its serial port on a {@link ShellConsole}.
 */
final class Session implements AutoCloseable {
    private static final long START_MILLIS = 10_000;

    /** Loads the plugins once, when the first VM is started. */
    interface Plugins {
        PluginRegistry get() throws Exception;
    }

    /** How a VM is run to its end on the VM thread; {@code onStart} gets its control. */
    interface Launch {
        VmExit run(Consumer<VmControl> onStart) throws Exception;
    }

    /**
     * The current (or last) VM. {@code detach} is set for a VM running in another process
     * ({@code attach}, {@code boot --detach}): it lets go of it, which keeps running.
     */
    record Running(VmControl control, ShellConsole console, CompletableFuture<VmExit> exit, Runnable detach) {
        Running(VmControl control, ShellConsole console, CompletableFuture<VmExit> exit) {
            this(control, console, exit, null);
        }

        boolean alive() {
            return !exit.isDone() && control.state() != VmControl.State.STOPPED;
        }

        boolean elsewhere() {
            return detach != null;
        }
    }

    private final Plugins pluginLoader;
    private volatile Consumer<String> notices;
    private PluginRegistry plugins;
    private volatile Running current;

    Session(Plugins plugins, Consumer<String> notices) {
        this.pluginLoader = plugins;
        this.notices = notices;
    }

    /** Where "the VM ended" lines go (the prompt's printAbove in an interactive shell). */
    void notices(Consumer<String> sink) {
        this.notices = sink;
    }

    /** The VM if one is running or paused. */
    Optional<Running> vm() {
        Running r = current;
        return r != null && r.alive() ? Optional.of(r) : Optional.empty();
    }

    /** The last VM, running or not (for {@code log} after it ended). */
    Optional<Running> last() {
        return Optional.ofNullable(current);
    }

    Running require() {
        return vm().orElseThrow(() -> new ShellException("no VM is running: 'boot CONFIG' or 'restore DIR' starts one"));
    }

    List<String> deviceIds() {
        return vm().map(r -> r.control().info().devices().stream().map(VmControl.DeviceInfo::id).toList())
                .orElse(List.of());
    }

    /** The commands device {@code id} of the running VM offers; empty without a VM or such a device. */
    List<String> deviceCommands(String id) {
        return vm().flatMap(r -> r.control().info().devices().stream().filter(d -> d.id().equals(id)).findFirst())
                .map(VmControl.DeviceInfo::commands).orElse(List.of());
    }

    private void requireNone() {
        if (vm().isPresent()) {
            throw new ShellException("a VM is already running (one at a time): 'shutdown' or 'shutdown --force' first");
        }
    }

    private PluginRegistry plugins() throws Exception {
        if (plugins == null) {
            plugins = pluginLoader.get();
        }
        return plugins;
    }

    /** Checks and boots {@code config}; returns once its vCPUs run. The config's [serial] is replaced by the shell's buffer. */
    Running boot(Path config) throws Exception {
        requireNone();
        VmConfig vm = ConfigLoader.load(config);
        PluginRegistry p = plugins();
        DeviceCheck.checkTypes(vm, p);
        ShellConsole console = new ShellConsole();
        return start(console, onStart -> new VmLauncher(vm, p, console).run(onStart));
    }

    /** Checks the snapshot in {@code dir} completely, then runs the VM from it ({@link VmLauncher#check}). */
    Running restore(Path dir, SnapshotProgress progress, boolean allowChangedPaths) throws Exception {
        requireNone();
        VmLauncher.Restorable snap = VmLauncher.check(dir, progress, allowChangedPaths);
        PluginRegistry p = plugins();
        DeviceCheck.checkTypes(snap.config(), p);
        ShellConsole console = new ShellConsole();
        return start(console, onStart -> VmLauncher.restore(snap, snap.config(), p, console, onStart));
    }

    /** Runs {@code launch} on a VM thread and waits until the VM has left CREATED (or failed). */
    Running start(ShellConsole console, Launch launch) throws Exception {
        CompletableFuture<VmControl> started = new CompletableFuture<>();
        CompletableFuture<VmExit> exit = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                exit.complete(launch.run(started::complete));
            } catch (Throwable e) {
                exit.completeExceptionally(e);
                started.completeExceptionally(e);
            } finally {
                console.close();
            }
        }, "jvmm-vm");
        t.setDaemon(true);
        t.start();
        VmControl control = null;
        // Building a VM has no unbounded wait, but on a loaded or emulated host it can take
        // longer than any fixed limit (a restore also reads the whole snapshot): keep waiting,
        // and say so, rather than give up and leave a VM starting behind the shell's back.
        long waitedMillis = 0;
        while (control == null) {
            try {
                control = started.get(START_MILLIS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            } catch (TimeoutException e) {
                waitedMillis += START_MILLIS;
                notices.accept("jvmm: still starting the VM (" + waitedMillis / 1000 + " s so far)...");
            }
        }
        // onStart runs just before the vCPUs start: wait for RUNNING so "boot; pause" works.
        long deadline = System.nanoTime() + START_MILLIS * 1_000_000;
        while (control.state() == VmControl.State.CREATED && !exit.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Running r = new Running(control, console, exit);
        current = r;
        exit.whenComplete((how, failure) -> notices.accept(failure == null ? ended(how)
                : "jvmm: the VM failed: " + (failure.getMessage() == null ? failure.toString() : failure.getMessage())));
        if (exit.isCompletedExceptionally()) {
            try {
                exit.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            }
        }
        return r;
    }

    /**
     * Attaches to the VM answering on {@code socket} (another jvmm process): the shell's commands
     * work on it through its API, and its serial output fills this shell's console buffer.
     */
    Running attach(String name, Path socket) throws Exception {
        requireNone();
        if (!java.nio.file.Files.exists(socket)) {
            throw new ShellException("no VM named '" + name + "' is running (no socket " + socket + "); 'ls' lists them");
        }
        RemoteVm remote = new RemoteVm(name, new ApiClient(socket));
        VmControl.Info info = remote.info();
        if (info.state() == VmControl.State.STOPPED) {
            throw new ShellException("the VM on " + socket + " does not answer");
        }
        ShellConsole console = new ShellConsole();
        console.attachInput(bytes -> {
            try {
                remote.type(bytes);
            } catch (java.io.IOException e) {
                notices.accept("jvmm: cannot type into " + name + ": " + e.getMessage());
            }
        });
        java.io.InputStream output = remote.console();
        CompletableFuture<VmExit> exit = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicBoolean detached = new java.util.concurrent.atomic.AtomicBoolean();
        Thread feeder = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (output) {
                int n;
                while ((n = output.read(buf)) >= 0) {
                    console.output().write(buf, 0, n);
                }
            } catch (java.io.IOException e) {
                // the stream was closed: detached, or the VM's process is gone
            }
            if (!detached.get()) {
                exit.complete(VmExit.STOPPED_BY_USER);
            }
        }, "jvmm-attached-" + name);
        feeder.setDaemon(true);
        feeder.start();
        Runnable detach = () -> {
            detached.set(true);
            try {
                output.close();
            } catch (java.io.IOException e) {
                // closing anyway
            }
        };
        Running r = new Running(remote, console, exit, detach);
        current = r;
        exit.whenComplete((how, failure) -> notices.accept("jvmm: " + name + " has stopped"));
        return r;
    }

    /** Lets go of a VM running elsewhere; it keeps running. False if the current VM is this shell's own. */
    boolean detach() {
        Running r = current;
        if (r == null || !r.elsewhere()) {
            return false;
        }
        r.detach().run();
        current = null;
        return true;
    }

    /** Adopts a VM controlled from elsewhere (tests: a fake {@link VmControl}). */
    Running adopt(VmControl control, ShellConsole console) {
        Running r = new Running(control, console, new CompletableFuture<>());
        current = r;
        return r;
    }

    /** Waits until the VM has ended; false on timeout. */
    boolean awaitEnd(Running r, long millis) throws InterruptedException {
        try {
            r.exit().get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    static String ended(VmExit how) {
        return switch (how) {
            case POWER_OFF -> "jvmm: guest powered off";
            case STOPPED_BY_USER -> "jvmm: VM stopped";
            case RESET -> "jvmm: guest reset (reboot); 'boot' starts it again";
            case TRIPLE_FAULT -> "jvmm: guest triple-faulted: the VM is stopped (registers in the log)";
            case SNAPSHOT_THEN_EXIT -> "jvmm: snapshot taken; VM stopped";
        };
    }

    /** Stops the VM, if any (one running elsewhere is let go, and keeps running), and waits a moment for it to end. */
    @Override
    public void close() {
        Running r = current;
        if (r != null && r.elsewhere()) {
            detach();
            return;
        }
        if (r != null && r.alive()) {
            r.control().requestShutdown(true);
            try {
                awaitEnd(r, 3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
