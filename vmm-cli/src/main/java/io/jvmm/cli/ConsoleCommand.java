package io.jvmm.cli;

import io.jvmm.api.ApiClient;
import io.jvmm.console.RawTerminal;
import io.jvmm.vm.VmException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jvmm console NAME}: this terminal on a running VM's serial console, through its API
 * socket. Ctrl-] detaches; the VM keeps running, as it does when this process is killed.
 */
@Command(name = "console", mixinStandardHelpOptions = true, header = "Attach this terminal to a running VM's serial console.",
        description = {"Shows the last lines the guest printed, then connects the keyboard to the guest. Ctrl-] "
                + "detaches and the VM keeps running. With stdin not a terminal, what it holds is typed into the "
                + "guest, and the end of it (or a Ctrl-] byte) detaches a second later."})
final class ConsoleCommand implements Callable<Integer> {
    static final int DETACH = 0x1d; // Ctrl-]
    private static final Duration TYPE_TIMEOUT = Duration.ofSeconds(10);
    private static final long DRAIN_MILLIS = 1000;

    @Spec
    private CommandSpec spec;

    @Mixin
    private VmTarget target;

    @Option(names = "--no-history", description = "Do not show what the guest printed before attaching.")
    boolean noHistory;

    @Override
    public Integer call() throws Exception {
        ApiClient client = target.client();
        InputStream output;
        try {
            output = client.stream("/api/v1/vm/console" + (noHistory ? "?history=false" : ""));
        } catch (IOException e) {
            throw new VmException(target.name + ": " + e.getMessage(), e);
        }
        PrintStream stdout = System.out;
        Thread printer = new Thread(() -> copy(output, stdout), "jvmm-console-out");
        printer.setDaemon(true);
        printer.start();
        spec.commandLine().getErr().println("jvmm: attached to " + target.name + "; Ctrl-] detaches");
        spec.commandLine().getErr().flush();
        boolean ended;
        Optional<RawTerminal> raw = System.console() != null ? RawTerminal.open() : Optional.empty();
        try {
            ended = type(client, raw.map(RawTerminal::input).orElse(System.in), printer);
            if (raw.isEmpty() && !ended) {
                printer.join(DRAIN_MILLIS);
            }
        } finally {
            raw.ifPresent(RawTerminal::close);
            output.close();
        }
        stdout.flush();
        spec.commandLine().getErr().println();
        spec.commandLine().getErr().println(ended ? "jvmm: the VM has stopped" : "jvmm: detached; " + target.name
                + " keeps running");
        return 0;
    }

    /** Sends keyboard bytes until Ctrl-] or the end of input (false), or until the VM's stream ends (true). */
    private boolean type(ApiClient client, InputStream in, Thread printer) throws IOException {
        byte[] buf = new byte[4096];
        while (printer.isAlive()) {
            int n = in.read(buf);
            if (n < 0) {
                return false;
            }
            int stop = -1;
            for (int i = 0; i < n; i++) {
                if (buf[i] == DETACH) {
                    stop = i;
                    break;
                }
            }
            int len = stop < 0 ? n : stop;
            if (len > 0) {
                ApiClient.Answer a = client.send("PUT", "/api/v1/vm/console", "application/octet-stream",
                        Arrays.copyOf(buf, len), TYPE_TIMEOUT);
                if (!a.ok()) {
                    return !printer.isAlive();
                }
            }
            if (stop >= 0) {
                return false;
            }
        }
        return true;
    }

    private static void copy(InputStream in, OutputStream out) {
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // detached: the stream was closed under us
        }
    }
}
