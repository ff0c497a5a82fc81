package io.jvmm.cli;

import io.jvmm.kvm.LibC;
import io.jvmm.snapshot.SnapshotException;
import io.jvmm.snapshot.SnapshotProgress;
import io.jvmm.spi.DeviceCommand;
import io.jvmm.control.Describe;
import io.jvmm.control.ListDeviceCommands;
import io.jvmm.control.Pause;
import io.jvmm.control.Resume;
import io.jvmm.control.RunDeviceCommand;
import io.jvmm.control.Shutdown;
import io.jvmm.control.TakeSnapshot;
import io.jvmm.control.VmControl;
import io.jvmm.vm.VmException;
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
 * SIGUSR1, and a control pipe that takes one command per line. Both run the
 * {@link io.jvmm.control.Operation}s the shell and the API socket run.
 */
final class LifecycleOptions {
    @Option(names = "--snapshot-on-signal", paramLabel = "DIR",
            description = "On SIGUSR1 (kill -USR1 PID): pause the VM, write a snapshot to DIR, then do what "
                    + "--after-snapshot says.")
    Path snapshotOnSignal;

    @Option(names = "--after-snapshot", paramLabel = "WHAT",
            description = "After a --snapshot-on-signal snapshot: exit (default; exit code 0), continue, or pause.")
    TakeSnapshot.After afterSnapshot = TakeSnapshot.After.EXIT;

    @Option(names = "--control", paramLabel = "FIFO",
            description = "Create the named pipe FIFO and take commands from it, one per line: pause, resume, "
                    + "snapshot DIR, snapshot-exit DIR, shutdown, stop, info, device ID COMMAND [ARGS...] (a device's own "
                    + "commands; 'device ID' lists them). Replies go to stderr as 'jvmm: ...' lines.")
    Path controlFifo;

    /** What {@code onStart} of the launcher runs: wires the signal and the pipe to {@code vm}. */
    Consumer<VmControl> wiring(PrintWriter err) {
        return vm -> {
            if (snapshotOnSignal != null) {
                sun.misc.Signal.handle(new sun.misc.Signal("USR1"), sig -> {
                    Thread t = new Thread(() -> snapshot(vm, snapshotOnSignal, afterSnapshot, err), "jvmm-snapshot");
                    t.setDaemon(true);
                    t.start();
                });
            }
            if (controlFifo != null) {
                makeFifo(controlFifo);
                Thread t = new Thread(() -> readCommands(vm, err), "jvmm-control");
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

    private void readCommands(VmControl vm, PrintWriter err) {
        while (vm.state() != VmControl.State.STOPPED) {
            try (BufferedReader in = Files.newBufferedReader(controlFifo)) {
                String line;
                while ((line = in.readLine()) != null) {
                    command(vm, line.strip(), err);
                }
            } catch (IOException e) {
                say(err, "control pipe: " + e.getMessage());
                return;
            }
        }
    }

    void command(VmControl vm, String line, PrintWriter err) {
        String[] words = line.split("\\s+", 2);
        try {
            switch (words[0]) {
                case "" -> { }
                case "pause" -> say(err, new Pause().apply(vm).name().toLowerCase());
                case "resume" -> {
                    new Resume().apply(vm);
                    say(err, "resumed");
                }
                case "snapshot", "snapshot-exit" -> {
                    if (words.length < 2) {
                        say(err, "usage: " + words[0] + " DIR");
                        return;
                    }
                    snapshot(vm, Path.of(words[1]), words[0].equals("snapshot") ? TakeSnapshot.After.CONTINUE
                            : TakeSnapshot.After.EXIT, err);
                }
                case "shutdown" -> new Shutdown(false).apply(vm);
                case "stop" -> new Shutdown(true).apply(vm);
                case "info" -> say(err, new Describe().apply(vm).toString());
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
            List<DeviceCommand> commands = new ListDeviceCommands(words.get(0)).apply(vm);
            say(err, words.get(0) + (commands.isEmpty() ? " offers no commands" : " commands: " + String.join("; ",
                    commands.stream().map(c -> (c.name() + " " + c.arguments()).strip() + " - " + c.description())
                            .toList())));
        } else {
            String out = new RunDeviceCommand(words.get(0), words.get(1), words.subList(2, words.size())).apply(vm);
            say(err, words.get(0) + " " + words.get(1) + ": " + (out.isBlank() ? "done" : out.strip()));
        }
    }

    /** Runs {@link TakeSnapshot} and says how it went; a failure is said, never thrown. */
    static void snapshot(VmControl vm, Path dir, TakeSnapshot.After after, PrintWriter err) {
        try {
            TakeSnapshot.Taken taken = new TakeSnapshot(dir, after, progressPrinter(err)).apply(vm);
            say(err, "snapshot written to " + dir + " in " + taken.millis() + " ms");
            if (after == TakeSnapshot.After.PAUSE) {
                say(err, "paused");
            }
        } catch (VmException | SnapshotException | RuntimeException | Error e) {
            say(err, "snapshot failed: " + (e instanceof VmException || e instanceof SnapshotException
                    ? e.getMessage() : e.toString()));
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
