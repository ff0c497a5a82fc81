package io.jvmm.cli;

import io.jvmm.api.ApiClient;
import io.jvmm.api.ApiSocketException;
import io.jvmm.api.ApiSockets;
import io.jvmm.vm.VmException;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code jvmm run --detach}: starts the same {@code jvmm run} again as a process of its own
 * session (no terminal, stdin from /dev/null, its output to a log beside the socket) and returns
 * once the VM answers on its API socket, or says why it did not start.
 */
public final class Detach {
    private static final Duration START = Duration.ofMinutes(5);
    private static volatile List<String> mainArgs = List.of();

    private Detach() {
    }

    /** Remembers the command line {@code main} got, to run it again. */
    static void rememberArgs(String[] args) {
        mainArgs = List.of(args);
    }

    /**
     * Runs this command line again, without {@code --detach} and with {@code extraArgs} added to
     * run's options (e.g. {@code --serial off} when the config's console is this terminal).
     *
     * @return the child's pid
     */
    static long again(String name, Path socket, List<String> extraArgs) throws VmException, IOException,
            InterruptedException {
        List<String> args = new ArrayList<>(mainArgs);
        args.removeIf(a -> a.equals("--detach"));
        args.addAll(args.indexOf("run") + 1, extraArgs); // options of run go after it, wherever CONFIG is
        return start(name, socket, args);
    }

    /**
     * Starts {@code jvmm ARGS} (a {@code run} that serves the API on {@code socket}) in the
     * background and waits until its API answers.
     *
     * @return the child's pid
     */
    public static long start(String name, Path socket, List<String> args) throws VmException, IOException,
            InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) {
            cmd.add("/usr/bin/setsid"); // a session of its own: closing this terminal does not hang it up
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(JvmmCommand.class.getName());
        cmd.addAll(args);
        Path log = socket.resolveSibling(name + ".log");
        try {
            ApiSockets.createDirectory(log.getParent()); // 0700, as the socket will want it
        } catch (ApiSocketException e) {
            throw new VmException(e.getMessage());
        }
        Process p = new ProcessBuilder(cmd).redirectInput(new File("/dev/null"))
                .redirectOutput(log.toFile()).redirectErrorStream(true).start();
        long deadline = System.nanoTime() + START.toNanos();
        ApiClient client = new ApiClient(socket);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new VmException(name + " did not start (exit code " + p.exitValue() + "): "
                        + lastLines(log));
            }
            if (Files.exists(socket)) {
                try {
                    if (client.call("GET", "/api/v1/vm", null, Duration.ofSeconds(5)).ok()) {
                        return p.pid();
                    }
                } catch (IOException e) {
                    // not listening yet
                }
            }
            Thread.sleep(100);
        }
        throw new VmException(name + " did not answer on " + socket + " within " + START.toSeconds()
                + " s; it may still be starting (pid " + p.pid() + ", log " + log + ")");
    }

    private static String lastLines(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size())).strip();
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
