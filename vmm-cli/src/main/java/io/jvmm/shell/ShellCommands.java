package io.jvmm.shell;

import io.jvmm.control.Describe;
import io.jvmm.control.ListDeviceCommands;
import io.jvmm.control.RunDeviceCommand;
import io.jvmm.control.TakeSnapshot;
import io.jvmm.spi.DeviceCommand;
import io.jvmm.control.VmControl;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * The commands of {@code jvmm shell}, one picocli class each, as the CLI's subcommands are.
 * The same instances serve every line, interactive or scripted; picocli resets their options
 * before each parse.
 */
@Command(name = "jvmm>",
        customSynopsis = "COMMAND [OPTIONS] [ARGS]   (several on a line: separate them with ';')",
        description = {"Controls one VM at a time. Guest serial output is kept in a buffer: 'console' shows it "
                + "and attaches the terminal, 'log' prints it."},
        commandListHeading = "%nCommands:%n",
        footerHeading = "%nKeys:%n",
        footer = {
            "  Tab        complete commands, options, files and device ids",
            "  Ctrl-C     cancel the line being typed (never the VM)",
            "  Ctrl-D     leave the shell (asks first if a VM it booted runs: leaving stops it; an attached VM "
                    + "or one booted with 'boot --detach' keeps running)",
            "  Ctrl-] or Ctrl-A x   in 'console': back to the shell, the VM keeps running",
        },
        subcommands = {
            ShellCommands.Boot.class, ShellCommands.Pause.class, ShellCommands.Resume.class,
            ShellCommands.Snapshot.class, ShellCommands.Restore.class, ShellCommands.Info.class,
            ShellCommands.Devices.class, ShellCommands.DeviceCmd.class, ShellCommands.Console.class, ShellCommands.Log.class,
            ShellCommands.Shutdown.class, ShellCommands.Wait.class, ShellCommands.Sleep.class,
            ShellCommands.Ls.class, ShellCommands.Attach.class, ShellCommands.DetachCmd.class,
            ShellCommands.Quit.class, CommandLine.HelpCommand.class,
        })
final class ShellCommands implements Runnable {
    final Shell shell;

    ShellCommands(Shell shell) {
        this.shell = shell;
    }

    @Override
    public void run() {
        shell.commands().usage(shell.out());
    }

    /** Base of the commands: access to the shell. */
    abstract static class Base implements Callable<Integer> {
        @ParentCommand
        ShellCommands parent;

        Shell shell() {
            return parent.shell;
        }

        Session session() {
            return parent.shell.session();
        }

        PrintWriter out() {
            return parent.shell.out();
        }

        VmControl vm() {
            return session().require().control();
        }
    }

    @Command(name = "boot", header = "Boot a VM from a config file (in the background).",
            description = "Checks CONFIG, builds the VM and starts it; the prompt comes back at once. Without CONFIG, "
                    + "the one given to 'jvmm shell'. The config's [serial] is replaced by the shell's console buffer.")
    static final class Boot extends Base {
        @Parameters(arity = "0..1", paramLabel = "CONFIG", description = "The VM config file (TOML).")
        Path config;

        @Option(names = "--detach", description = "Boot it in a process of its own (as 'jvmm run --detach') and attach "
                + "to it: it keeps running when this shell quits.")
        boolean detach;

        @Override
        public Integer call() throws Exception {
            Path file = config != null ? config : shell().defaultConfig()
                    .orElseThrow(() -> new ShellException("boot: which config? 'boot CONFIG'"));
            if (detach) {
                io.jvmm.config.VmConfig vm = io.jvmm.config.ConfigLoader.load(file);
                String name = vm.vm().name();
                Path socket = io.jvmm.api.ApiSockets.defaultPath(name);
                List<String> args = new ArrayList<>(List.of("run", "--api-socket", socket.toString()));
                if (vm.serial().mode() == io.jvmm.config.SerialSection.Mode.STDIO) {
                    args.addAll(List.of("--serial", "off"));
                }
                args.add(file.toAbsolutePath().toString());
                long pid = io.jvmm.cli.Detach.start(name, socket, args);
                session().attach(name, socket);
                out().println("jvmm: booted " + name + " in process " + pid + " and attached; it keeps running when "
                        + "the shell quits ('shutdown' ends it)");
                return 0;
            }
            Session.Running r = session().boot(file);
            VmControl.Info info = r.control().info();
            out().println("jvmm: booted " + info.name() + " (" + info.vcpus() + " vCPU(s), "
                    + (info.memoryBytes() >> 20) + " MiB); 'console' attaches to it");
            return 0;
        }
    }

    @Command(name = "pause", header = "Stop the vCPUs and freeze the guest clock.")
    static final class Pause extends Base {
        @Override
        public Integer call() throws Exception {
            new io.jvmm.control.Pause().apply(vm());
            out().println("jvmm: paused");
            return 0;
        }
    }

    @Command(name = "resume", header = "Continue a paused VM.")
    static final class Resume extends Base {
        @Override
        public Integer call() throws Exception {
            new io.jvmm.control.Resume().apply(vm());
            out().println("jvmm: resumed");
            return 0;
        }
    }

    @Command(name = "snapshot", header = "Write a snapshot of the paused VM to a directory.",
            description = "The VM must be paused ('pause' first). DIR is created if needed; 'restore DIR' or "
                    + "'jvmm restore DIR' runs it again.")
    static final class Snapshot extends Base {
        @Parameters(paramLabel = "DIR", description = "The snapshot directory.")
        Path dir;

        @Override
        public Integer call() throws Exception {
            VmControl vm = vm();
            if (vm.state() != VmControl.State.PAUSED) {
                throw new ShellException("cannot snapshot: the VM is " + vm.state().name().toLowerCase()
                        + "; pause first");
            }
            TakeSnapshot.Taken taken = new TakeSnapshot(dir, TakeSnapshot.After.PAUSE, shell().progress()).apply(vm);
            out().println("jvmm: snapshot written to " + dir + " in " + taken.millis()
                    + " ms; the VM stays paused");
            return 0;
        }
    }

    @Command(name = "restore", header = "Run a VM from a snapshot directory.",
            description = "Checks the snapshot completely first (checksums, versions, files its config names); "
                    + "a bad snapshot is an error and nothing runs.")
    static final class Restore extends Base {
        @Parameters(paramLabel = "DIR", description = "The snapshot directory.")
        Path dir;

        @Option(names = "--allow-changed-paths",
                description = "Restore even if a file the snapshot's config names is no longer the file it recorded.")
        boolean allowChangedPaths;

        @Override
        public Integer call() throws Exception {
            Session.Running r = session().restore(dir, shell().progress(), allowChangedPaths);
            out().println("jvmm: restored " + r.control().info().name() + " from " + dir + "; it is "
                    + r.control().state().name().toLowerCase());
            return 0;
        }
    }

    @Command(name = "info", header = "Show the VM: state, vCPUs, memory, devices.")
    static final class Info extends Base {
        @Override
        public Integer call() {
            VmControl.Info info = new Describe().apply(vm());
            PrintWriter out = out();
            out.println("name:    " + info.name());
            out.println("state:   " + info.state());
            out.println("vcpus:   " + info.vcpus());
            out.println("memory:  " + (info.memoryBytes() >> 20) + " MiB");
            out.println("devices: " + info.devices().size());
            printDevices(out, info.devices());
            return 0;
        }
    }

    static void printDevices(PrintWriter out, List<VmControl.DeviceInfo> devices) {
        int w = devices.stream().mapToInt(d -> d.id().length()).max().orElse(2);
        int tw = devices.stream().mapToInt(d -> d.type().length()).max().orElse(4);
        out.printf("  %-" + w + "s  %-" + tw + "s  %-8s  %s%n", "ID", "TYPE", "SNAPSHOT", "COMMANDS");
        for (VmControl.DeviceInfo d : devices) {
            out.printf("  %-" + w + "s  %-" + tw + "s  %-8s  %s%n", d.id(), d.type(), d.snapshottable() ? "yes" : "no",
                    String.join(" ", d.commands()));
        }
    }

    @Command(name = "devices", header = "List the VM's devices (ids and types), or one device.")
    static final class Devices extends Base {
        @Parameters(arity = "0..1", paramLabel = "DEVICE", description = "A device id (Tab completes them).")
        String id;

        @Override
        public Integer call() {
            List<VmControl.DeviceInfo> all = new Describe().apply(vm()).devices();
            List<VmControl.DeviceInfo> shown = id == null ? all : all.stream().filter(d -> d.id().equals(id)).toList();
            if (shown.isEmpty()) {
                throw new ShellException("no device '" + id + "'; 'devices' lists them");
            }
            printDevices(out(), shown);
            return 0;
        }
    }

    @Command(name = "device", header = "List a device's own commands, or run one while the VM runs.",
            description = {"'device ID' lists what the device offers (a plugin's runtime operations, e.g. a balloon's "
                    + "target); 'device ID COMMAND ARGS...' runs one and prints its answer. 'devices' shows which "
                    + "devices offer commands."})
    static final class DeviceCmd extends Base {
        @Parameters(index = "0", paramLabel = "DEVICE", description = "A device id (Tab completes them).")
        String id;

        @Parameters(index = "1", arity = "0..1", paramLabel = "DEVICE-COMMAND",
                description = "One of the device's commands (Tab completes them).")
        String command;

        @Parameters(index = "2..*", paramLabel = "ARGS", description = "The command's arguments.")
        List<String> arguments = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            if (command == null) {
                List<DeviceCommand> commands = new ListDeviceCommands(id).apply(vm());
                if (commands.isEmpty()) {
                    out().println(id + " offers no commands");
                }
                int w = commands.stream().mapToInt(c -> (c.name() + " " + c.arguments()).strip().length()).max().orElse(0);
                for (DeviceCommand c : commands) {
                    out().printf("  %-" + w + "s  %s%n", (c.name() + " " + c.arguments()).strip(), c.description());
                }
                return 0;
            }
            String said = new RunDeviceCommand(id, command, arguments).apply(vm());
            out().println(said.isBlank() ? "jvmm: " + id + " " + command + ": done" : said.strip());
            return 0;
        }
    }

    @Command(name = "console", header = "Attach this terminal to the guest's serial console.",
            description = {"Shows what the guest printed since you last looked, then connects the keyboard to the "
                    + "guest. Ctrl-] or Ctrl-A x comes back to the shell; the VM keeps running. Ctrl-A Ctrl-A sends "
                    + "a Ctrl-A. Only in an interactive shell ('log' works everywhere)."})
    static final class Console extends Base {
        @Override
        public Integer call() throws Exception {
            Session.Running r = session().require();
            Shell.Terminal t = shell().terminal().orElseThrow(() -> new ShellException(
                    "console needs an interactive terminal; 'log' prints the serial output"));
            ShellConsole.Detach why = t.attach(r.console(), r);
            out().println();
            out().println(switch (why) {
                case ESCAPE -> "jvmm: back in the shell; the VM is " + r.control().state().name().toLowerCase();
                case VM_STOPPED -> "jvmm: the VM has stopped";
                case END_OF_INPUT -> "jvmm: end of input";
            });
            return 0;
        }
    }

    @Command(name = "log", header = "Print the guest's buffered serial output.",
            description = "The shell keeps the last " + ShellConsole.CAPACITY / 1024 + " KiB the guest printed, "
                    + "also after it stopped.")
    static final class Log extends Base {
        @Option(names = {"-n", "--lines"}, paramLabel = "N", description = "Only the last N lines.")
        Integer lines;

        @Override
        public Integer call() {
            Session.Running r = session().last().orElseThrow(() -> new ShellException("no VM has run yet"));
            String text = new String(r.console().buffered(), StandardCharsets.UTF_8).replace("\r\n", "\n");
            if (lines != null) {
                List<String> all = text.lines().toList();
                text = String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n";
            }
            if (r.console().dropped() > 0) {
                out().println("jvmm: (" + r.console().dropped() + " earlier bytes dropped)");
            }
            out().print(text);
            if (!text.isEmpty() && !text.endsWith("\n")) {
                out().println();
            }
            return 0;
        }
    }

    @Command(name = "shutdown", header = "Ask the guest to power off (ACPI power button); --force stops it.")
    static final class Shutdown extends Base {
        @Option(names = {"-f", "--force"}, description = "Stop the VM at once, without asking the guest.")
        boolean force;

        @Override
        public Integer call() throws Exception {
            Session.Running r = session().require();
            new io.jvmm.control.Shutdown(force).apply(r.control());
            if (force) {
                session().awaitEnd(r, 5000);
                out().println("jvmm: VM stopped");
            } else {
                out().println("jvmm: asked the guest to power off ('shutdown --force' stops it at once)");
            }
            return 0;
        }
    }

    @Command(name = "wait", header = "Wait until the VM stops (scripts).")
    static final class Wait extends Base {
        @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS", description = "Give up after SECONDS (exit code 1).")
        Double timeout;

        @Override
        public Integer call() throws Exception {
            Session.Running r = session().require();
            if (!session().awaitEnd(r, timeout == null ? Long.MAX_VALUE : (long) (timeout * 1000))) {
                throw new io.jvmm.vm.VmException("the VM still runs after " + timeout + " s");
            }
            return 0;
        }
    }

    @Command(name = "sleep", header = "Wait SECONDS (scripts).")
    static final class Sleep extends Base {
        @Parameters(paramLabel = "SECONDS")
        double seconds;

        @Override
        public Integer call() throws Exception {
            Thread.sleep((long) (seconds * 1000));
            return 0;
        }
    }

    @Command(name = "ls", header = "List this user's running VMs (any process), as 'jvmm ls' does.")
    static final class Ls extends Base {
        @Override
        public Integer call() throws Exception {
            io.jvmm.api.RunningVms.table(io.jvmm.api.RunningVms.in(io.jvmm.api.ApiSockets.directory()))
                    .forEach(out()::println);
            return 0;
        }
    }

    @Command(name = "attach", header = "Attach to a VM running in another process; the commands then work on it.",
            description = "Its serial output fills the console buffer ('console', 'log'). 'detach' or quitting lets go "
                    + "of it, and it keeps running.")
    static final class Attach extends Base {
        @Parameters(paramLabel = "NAME", description = "The VM's name, as 'ls' shows it.")
        String name;

        @Option(names = "--api-socket", paramLabel = "PATH", description = "Its API socket, if not the default one.")
        Path socket;

        @Override
        public Integer call() throws Exception {
            Path path;
            try {
                path = socket != null ? socket : io.jvmm.api.ApiSockets.defaultPath(name);
            } catch (IllegalArgumentException e) {
                throw new ShellException(e.getMessage());
            }
            Session.Running r = session().attach(name, path);
            VmControl.Info info = r.control().info();
            out().println("jvmm: attached to " + info.name() + " (" + info.state().name().toLowerCase() + ", "
                    + info.vcpus() + " vCPU(s), " + (info.memoryBytes() >> 20) + " MiB); 'detach' lets go of it");
            return 0;
        }
    }

    @Command(name = "detach", header = "Let go of an attached VM; it keeps running.")
    static final class DetachCmd extends Base {
        @Override
        public Integer call() {
            if (!session().detach()) {
                throw new ShellException("no attached VM (a VM this shell booted stops with 'shutdown' or at quit)");
            }
            out().println("jvmm: detached; the VM keeps running");
            return 0;
        }
    }

    @Command(name = "quit", aliases = "exit", header = "Leave the shell; a VM it booted is stopped, an attached one keeps running.")
    static final class Quit extends Base {
        @Override
        public Integer call() {
            shell().requestQuit();
            return 0;
        }
    }
}
