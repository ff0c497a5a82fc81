package io.jvmm.cli;

import io.jvmm.kvm.LibC;
import io.jvmm.snapshot.SnapshotException;
import io.jvmm.snapshot.SnapshotProgress;
import io.jvmm.spi.DeviceCommand;
import io.jvmm.vm.VmControl;
import io.jvmm.vm.VmException;
import io.jvmm.vm.VmExit;
import com.sun.jna.LastErrorException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * Headless control of a running VM, shared by {@code run} and {@code restore}: a snapshot on
 * SIGUSR1, and a control pipe that takes one command per line. Both go through
 * {@link VmControl}, the API the interactive shell uses too.
 */
final class LifecycleOptions {
    enum After { EXIT, CONTINUE, PAUSE }

    @Option(names = "--snapshot-on-signal", paramLabel = "DIR",
            description = "On SIGUSR1 (kill -USR1 PID): pause the VM, write a snapshot to DIR, then do what "
                    + "--after-snapshot says.")
    Path snapshotOnSignal;

    @Option(names = "--after-snapshot", paramLabel = "WHAT",
            description = "After a --snapshot-on-signal snapshot: exit (default; exit code 0), continue, or pause.")
    After afterSnapshot = After.EXIT;

    @Option(names = "--control", paramLabel = "FIFO",
            description = "Create the named pipe FIFO and take commands from it, one per line: pause, resume, "
                    + "snapshot DIR, snapshot-exit DIR, shutdown, stop, info, device ID COMMAND [ARGS...] (a device's own "
                    + "commands; 'device ID' lists them). Replies go to stderr as 'jvmm: ...' lines.")
    Path controlFifo;

    /** What {@code onStart} of the launcher runs: wires the signal and the pipe to {@code vm}. */
    Consumer<VmControl> wiring(PrintWriter err, Consumer<VmExit> stop) {
        return vm -> {
            if (snapshotOnSignal != null) {
                sun.misc.Signal.handle(new sun.misc.Signal("USR1"), sig -> {
                    Thread t = new Thread(() -> snapshot(vm, snapshotOnSignal, afterSnapshot, err, stop), "jvmm-snapshot");
                    t.setDaemon(true);
                    t.start();
                });
            }
            if (controlFifo != null) {
                makeFifo(controlFifo);
                Thread t = new Thread(() -> readCommands(vm, err, stop), "jvmm-control");
                t.setDaemon(true);
                t.start();
            }
        };
    }

    private static void makeFifo(Path fifo) {
        try {
            Files.deleteIfExists(fifo);
            LibC.mkfifo(fifo.toString(), 0600);
        } catch (IOException | LastErrorException e) {
            throw new UsageException("cannot create the control pipe " + fifo + ": " + e.getMessage());
        }
    }

    private void readCommands(VmControl vm, PrintWriter err, Consumer<VmExit> stop) {
        while (vm.state() != VmControl.State.STOPPED) {
            try (BufferedReader in = Files.newBufferedReader(controlFifo)) {
                String line;
                while ((line = in.readLine()) != null) {
                    command(vm, line.strip(), err, stop);
                }
            } catch (IOException e) {
                say(err, "control pipe: " + e.getMessage());
                return;
            }
        }
    }

    void command(VmControl vm, String line, PrintWriter err, Consumer<VmExit> stop) {
        String[] words = line.split("\\s+", 2);
        try {
            switch (words[0]) {
                case "" -> { }
                case "pause" -> {
                    vm.pause();
                    say(err, "paused");
                }
                case "resume" -> {
                    vm.resume();
                    say(err, "resumed");
                }
                case "snapshot", "snapshot-exit" -> {
                    if (words.length < 2) {
                        say(err, "usage: " + words[0] + " DIR");
                        return;
                    }
                    snapshot(vm, Path.of(words[1]), words[0].equals("snapshot") ? After.CONTINUE : After.EXIT, err, stop);
                }
                case "shutdown" -> vm.requestShutdown(false);
                case "stop" -> vm.requestShutdown(true);
                case "info" -> say(err, vm.info().toString());
                case "device" -> device(vm, words.length < 2 ? List.of() : List.of(words[1].split("\\s+")), err);
                default -> say(err, "unknown control command '" + words[0] + "'");
            }
        } catch (VmException e) {
            say(err, e.getMessage());
        }
    }

    /** {@code device ID}: its commands; {@code device ID COMMAND ARGS...}: runs one and prints what it said. */
    private static void device(VmControl vm, List<String> words, PrintWriter err) throws VmException {
        if (words.isEmpty()) {
            say(err, "usage: device ID [COMMAND [ARGS...]]");
        } else if (words.size() == 1) {
            List<DeviceCommand> commands = vm.deviceCommands(words.get(0));
            say(err, words.get(0) + (commands.isEmpty() ? " offers no commands" : " commands: " + String.join("; ",
                    commands.stream().map(c -> (c.name() + " " + c.arguments()).strip() + " - " + c.description())
                            .toList())));
        } else {
            String out = vm.runDeviceCommand(words.get(0), words.get(1), words.subList(2, words.size()));
            say(err, words.get(0) + " " + words.get(1) + ": " + (out.isBlank() ? "done" : out.strip()));
        }
    }

    /** Pauses (if running), snapshots, then exits, continues or stays paused. */
    static void snapshot(VmControl vm, Path dir, After after, PrintWriter err, Consumer<VmExit> stop) {
        try {
            boolean wasRunning = vm.state() == VmControl.State.RUNNING;
            if (wasRunning) {
                vm.pause();
            }
            long start = System.nanoTime();
            vm.snapshot(dir, progressPrinter(err));
            say(err, "snapshot written to " + dir + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
            switch (after) {
                case EXIT -> stop.accept(VmExit.SNAPSHOT_THEN_EXIT);
                case CONTINUE -> {
                    if (wasRunning) {
                        vm.resume();
                    }
                }
                case PAUSE -> say(err, "paused");
            }
        } catch (VmException | SnapshotException | RuntimeException | Error e) {
            // Whatever went wrong (an OutOfMemoryError while writing, too), a VM paused for the
            // snapshot must not stay paused for ever.
            say(err, "snapshot failed: " + (e instanceof VmException || e instanceof SnapshotException
                    ? e.getMessage() : e.toString()));
            if (vm.state() == VmControl.State.PAUSED && after != After.PAUSE) {
                try {
                    vm.resume();
                } catch (VmException ignored) {
                    // reported by state
                }
            }
        }
    }

    /** Prints "jvmm: snapshot: NN%" lines, at most one per 10 %, once it has taken more than half a second. */
    static SnapshotProgress progressPrinter(PrintWriter err) {
        long start = System.nanoTime();
        int[] last = {-1};
        return (phase, done, total) -> {
            if (total <= 0 || System.nanoTime() - start < 500_000_000L) {
                return;
            }
            int pct = (int) (done * 100 / total);
            if (pct / 10 != last[0] / 10 || pct == 100 && last[0] != 100) {
                last[0] = pct;
                say(err, phase + ": " + pct + "%");
            }
        };
    }

    static void say(PrintWriter err, String message) {
        synchronized (err) {
            err.println("jvmm: " + message);
            err.flush();
        }
    }
}
