package io.jvmm.nested;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One jvmm run inside L1: a VM config, its initramfs, and after the run the files it left
 * (jvmm's exit status and output, the guest's serial log).
 */
record GuestScenario(String name, Path dir, String config) {
    static final String INIT_MARKER = "JVMM-GUEST-INIT-OK";
    /** What jvmm run prints when a vCPU takes KVM_EXIT_SHUTDOWN (and exits 5). */
    static final String TRIPLE_FAULT = "guest triple-faulted";

    /** Writes the scenario's config into {@code scratch/name}. */
    static GuestScenario create(Path scratch, String name, Path kernel, Path initrd, String memory, int vcpus,
                                String cmdline) throws IOException {
        Path dir = Files.createDirectories(scratch.resolve(name));
        String config = """
                [vm]
                name = "%s"
                memory = "%s"
                vcpus = %d

                [boot]
                kernel = "%s"
                initramfs = "%s"
                cmdline = "%s"

                [serial]
                mode = "file"
                path = "serial.log"
                """.formatted(name, memory, vcpus, kernel, initrd, cmdline);
        Files.writeString(dir.resolve("vm.toml"), config);
        return new GuestScenario(name, dir, config);
    }

    /**
     * The shell lines that run this scenario inside L1, once, with a per-run time limit. A
     * run that hangs leaves its threads' kernel stacks and the JVM's thread dump in jvmm.out
     * (scripts/lib/run-with-deadline) and exits 124; a run whose guest triple-faulted (exit 5)
     * or that hung leaves L1's last KVM events in l1-kvm-trace.txt (scripts/lib/l1-kvm-trace). Any rerun is
     * decided outside L1, on evidence that the host failed (NestedHost, HostFaults).
     */
    String driverLines(Path repo, int timeoutSeconds) {
        return driverLines(repo, timeoutSeconds, "");
    }

    /**
     * {@link #driverLines(Path, int)} with {@code runOptions} (shell words) before the config.
     * The run has no API server ({@code --no-api}): these scenarios never ask it anything, and
     * its start (Jetty, Jackson) cost 2-4 s of each run in L1's emulated CPU, which is what
     * the suite's time is made of (poweroff scenario, 3 runs each: 10.7-13.3 s with it, 8.2-9.3 s
     * without). ApiNestedIT, VirtioSnapshotNestedIT, VirtioVsockNestedIT, ShellNestedIT and
     * ExamplePluginsNestedIT run with it. The last line says how long the run took.
     */
    String driverLines(Path repo, int timeoutSeconds, String runOptions) {
        return """
                cd '%1$s' && scripts/lib/l1-kvm-trace start
                dmesg -C 2>/dev/null
                started=$(date +%%s)
                scripts/lib/run-with-deadline %2$d -- bin/jvmm run --no-api %5$s '%3$s/vm.toml' > '%3$s/jvmm.out' 2>&1
                echo $? > '%3$s/exit'
                dmesg | grep -a 'type=1326' > '%3$s/seccomp-audit.txt' 2>/dev/null
                case "$(cat '%3$s/exit')" in 5|124) scripts/lib/l1-kvm-trace save '%3$s/l1-kvm-trace.txt' ;; esac
                echo "scenario %4$s: jvmm exit $(cat '%3$s/exit') after $(( $(date +%%s) - started )) s"
                """.formatted(repo, timeoutSeconds, dir, name, runOptions);
    }

    int exitCode() throws IOException {
        Path f = dir.resolve("exit");
        return Files.exists(f) ? Integer.parseInt(Files.readString(f).strip()) : -1;
    }

    String jvmmOutput() throws IOException {
        Path f = dir.resolve("jvmm.out");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    /** L1's kernel log lines for system calls outside a seccomp list during this scenario's run. */
    String seccompAudit() throws IOException {
        Path f = dir.resolve("seccomp-audit.txt");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    String serial() throws IOException {
        Path f = dir.resolve("serial.log");
        return Files.exists(f) ? Files.readString(f).replace("\r", "") : "";
    }

    /** Lines "RESULT key=value" the guest's test script printed. */
    Map<String, String> results() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^RESULT ([a-z0-9_]+)=(.*)$").matcher(serial());
        while (m.find()) {
            out.merge(m.group(1), m.group(2).strip(), (a, b) -> a + "\n" + b);
        }
        return out;
    }

    String describe() throws IOException {
        String text = "scenario " + name + "\n--- jvmm output ---\n" + jvmmOutput() + "\n--- serial (tail) ---\n"
                + tail(serial(), 4000);
        text += NestedHost.l1KvmTrace(dir.resolve("l1-kvm-trace.txt"));
        String audit = seccompAudit();
        if (!audit.isBlank()) {
            // A system call outside a thread's seccomp list: refused (on) or allowed (log), logged by L1's kernel.
            text += "\n--- seccomp records in L1's kernel log (type=1326) ---\n" + tail(audit, 3000);
        }
        return text;
    }

    private static String tail(String s, int n) {
        return s.length() <= n ? s : s.substring(s.length() - n);
    }
}
