package io.jvmm.cli;

import io.jvmm.snapshot.SnapshotException;
import io.jvmm.snapshot.SnapshotProgress;
import io.jvmm.control.TakeSnapshot;
import io.jvmm.control.VmControl;
import io.jvmm.vm.VmException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * A snapshot on SIGUSR1, for {@code run} and {@code restore} (what CI systems use): it runs
 * {@link TakeSnapshot}, the operation the shell and the API socket run. Everything else a
 * headless VM is asked goes through its API socket.
 */
final class LifecycleOptions {
    @Option(names = "--snapshot-on-signal", paramLabel = "DIR",
            description = "On SIGUSR1 (kill -USR1 PID): pause the VM, write a snapshot to DIR, then do what "
                    + "--after-snapshot says.")
    Path snapshotOnSignal;

    @Option(names = "--after-snapshot", paramLabel = "WHAT",
            description = "After a --snapshot-on-signal snapshot: exit (default; exit code 0), continue, or pause.")
    TakeSnapshot.After afterSnapshot = TakeSnapshot.After.EXIT;

    /** What {@code onStart} of the launcher runs: wires the signal to {@code vm}. */
    Consumer<VmControl> wiring(PrintWriter err) {
        return vm -> {
            if (snapshotOnSignal != null) {
                sun.misc.Signal.handle(new sun.misc.Signal("USR1"), sig -> {
                    Thread t = new Thread(() -> snapshot(vm, snapshotOnSignal, afterSnapshot, err), "jvmm-snapshot");
                    t.setDaemon(true);
                    t.start();
                });
            }
        };
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
