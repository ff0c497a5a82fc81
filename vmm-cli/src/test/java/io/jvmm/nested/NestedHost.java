package io.jvmm.nested;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drives the project's nested KVM test host (scripts/nested-run, scripts/guest-image) from
 * JUnit. Everything a test needs inside L1 goes through the scratch directory, which L1 sees
 * at the same absolute path.
 */
final class NestedHost {
    /** A process's exit status and what it printed. */
    record Result(int exitCode, String output) {
    }

    /** L1's kvm_exit event for a guest triple fault: "reason shutdown" (6.1) or "reason EXIT_SHUTDOWN". */
    static final Pattern SHUTDOWN_EXIT = Pattern.compile("kvm_exit:.* reason (EXIT_)?shutdown ", Pattern.CASE_INSENSITIVE);

    /** nested-run's status when its wall-clock limit ran out. */
    static final int TIMEOUT_EXIT = 124;
    /** nested-run's status when L1 could not be set up or died under the command. */
    static final int SETUP_FAILED_EXIT = 125;
    /** nested-run's status when its watchdog found a CPU of L1 stuck, or L1 silent. */
    static final int LOCKUP_EXIT = 126;

    private NestedHost() {
    }

    static Path repo() {
        String repo = System.getProperty("jvmm.repo");
        Path p = repo != null ? Path.of(repo) : Path.of("").toAbsolutePath().getParent();
        assertThat(p.resolve("scripts/nested-run")).as("repository root with scripts/").exists();
        return p;
    }

    /**
     * L1's vCPUs, as nested-run's {@code --smp} (property {@code jvmm.nested.l1.vcpus}, default
     * 1), which nested-run checks: in a 1-vCPU L1 no L1 CPU can interrupt another around VMRUN,
     * which is where the emulated SVM was seen to take interrupts it must hold (README, "A guest
     * triple fault is a failure").
     */
    static String l1Vcpus() {
        return System.getProperty("jvmm.nested.l1.vcpus", "1").trim();
    }

    /** A directory for one nested test's files under the build's output folder (shared with L1). */
    static Path workDir(String name) throws IOException {
        return Files.createDirectories(repo().resolve("vmm-cli").resolve(System.getProperty("jvmm.target", "target"))
                .resolve("nested").resolve(name));
    }

    /**
     * The L2 guest kernel and base initramfs, built once and cached by scripts/guest-image. It is
     * asked every time (it only copies when the cached files differ), so a build directory left
     * from before a change to the guest image, e.g. a module added, gets the new one.
     */
    static Path guestAssets(Path dir) throws IOException, InterruptedException {
        // Nested classes run in two Failsafe forks at once (jvmm.nested.forks): one writes the
        // shared directory at a time.
        Files.createDirectories(dir);
        try (java.nio.channels.FileChannel lock = java.nio.channels.FileChannel.open(dir.resolveSibling(dir.getFileName() + ".lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock held = lock.lock()) {
            Result r = exec(List.of(repo().resolve("scripts/guest-image").toString(), dir.toString()), 900);
            assertThat(r.exitCode()).as("scripts/guest-image failed:\n" + r.output()).isZero();
        }
        return dir;
    }

    /** An initramfs that runs {@code script} as /test.sh after the base init. */
    static Path initrdWithScript(Path assets, Path out, String script) throws IOException, InterruptedException {
        Path scriptFile = out.resolveSibling(out.getFileName() + ".test.sh");
        Files.writeString(scriptFile, script);
        Result r = exec(List.of(repo().resolve("scripts/guest-image").toString(), "--add-script", scriptFile.toString(),
                assets.resolve("initrd.cpio.gz").toString(), out.toString()), 120);
        assertThat(r.exitCode()).as("guest-image --add-script failed:\n" + r.output()).isZero();
        return out;
    }

    /**
     * Runs {@code command} inside L1 with {@code scratch} shared. A timeout is reported
     * plainly as a failed test: a flake is reported, never hidden.
     */
    static Result runInL1(Path scratch, int timeoutSeconds, List<String> command) throws IOException, InterruptedException {
        return runInL1(scratch, timeoutSeconds, null, command);
    }

    /**
     * As {@link #runInL1(Path, int, List)}, with L1's NVMe disk holding {@code nvmeImage}'s bytes
     * (null: no disk of the test's; see {@link L1Session#loadNvme}).
     * This is the one place a nested test is ever run again: once at most, and only when
     * {@link HostFaults#evidence} proves the emulated host failed. Every input in
     * {@code scratch} is put back as it was first (see {@link ScratchInputs}), the rerun and its
     * evidence are printed and recorded for scripts/test's summary, and what points at jvmm
     * (a triple fault, a crash in native code) is printed whether or not there is a rerun.
     */
    static Result runInL1(Path scratch, int timeoutSeconds, Path nvmeImage, List<String> command)
            throws IOException, InterruptedException {
        String test = callingTest();
        ScratchInputs inputs = ScratchInputs.save(scratch);
        Attempt first = attempt(scratch, timeoutSeconds, nvmeImage, command, 1);
        Attempt last = first;
        if (!first.evidence().isEmpty()) {
            String why = String.join("; ", first.evidence())
                    + (first.suspects().isEmpty() ? "" : " (also seen: " + String.join("; ", first.suspects()) + ")");
            Path firstRun = scratch.resolveSibling(scratch.getFileName() + ".attempt-1");
            System.out.println("RERUN: " + test + ": the nested host failed: " + why
                    + "; every input restored, running it once more (the first run's outputs are in " + firstRun + ")");
            recordRerun(test, why);
            inputs.restore(firstRun);
            last = attempt(scratch, timeoutSeconds, nvmeImage, command, 2);
            assertThat(last.evidence()).as("the nested host failed again in the rerun of %s (a sick host fails the "
                    + "run):%n%s", test, last.result().output()).isEmpty();
        }
        inputs.discard();
        Result r = last.result();
        if (last != first) {
            r = new Result(r.exitCode(), "[RERUN: the first run's output is above]\n" + r.output());
        }
        assertThat(r.exitCode())
                .as("nested host TIMED OUT after %d s (L1 hung or was too slow, with no sign of an L1 fault: "
                        + "not rerun):%n%s", timeoutSeconds, r.output())
                .isNotEqualTo(TIMEOUT_EXIT);
        return r;
    }

    /** One L1 run and what its outputs prove. */
    private record Attempt(Result result, List<String> evidence, List<String> suspects) {
    }

    private static Attempt attempt(Path scratch, int timeoutSeconds, Path nvmeImage,
                                   List<String> command, int number) throws IOException, InterruptedException {
        Path console = scratch.resolveSibling(scratch.getFileName() + ".l1-console." + number + ".log");
        Files.deleteIfExists(console);
        Path shutdownTrace = tripleFaultTrace(scratch, number);
        Files.deleteIfExists(shutdownTrace);
        long started = System.currentTimeMillis() - 1000;
        Result r;
        if (L1Session.enabled() && L1Session.covers(scratch)) {
            // The shared L1 (its first job boots it). A rerun (number 2) always gets a new one:
            // the session that showed the evidence was ended below.
            L1Session session = L1Session.get();
            if (nvmeImage != null) {
                session.loadNvme(nvmeImage);
            }
            r = session.run(L1Session.script(l1Environment(scratch), repo(), shutdownTrace, command),
                    timeoutSeconds, console, System.out);
            if (nvmeImage != null) {
                session.storeNvme(nvmeImage);
            }
        } else {
            // One L1 per fork at a time: this fork's session ends before an L1 of the test's own.
            L1Session.end();
            r = exec(nestedRunCommand(scratch, timeoutSeconds, nvmeImage, command, console, shutdownTrace),
                    timeoutSeconds + 120);
        }
        List<Path> reports = HostFaults.crashReports(scratch, started);
        printJvmCrashReports(reports);
        printTripleFaultTrace(shutdownTrace);
        List<String> evidence = new ArrayList<>(HostFaults.evidence(r.exitCode(), console, reports));
        evidence.addAll(HostFaults.lostInterrupts(scratch, started));
        if (!evidence.isEmpty() || r.exitCode() == TIMEOUT_EXIT) {
            L1Session.end();
        }
        List<String> suspects = HostFaults.suspects(scratch, reports, started);
        for (String s : suspects) {
            System.out.println("SUSPECT (unless the test expects it: presumed a jvmm bug; never a reason to rerun): " + s);
        }
        return new Attempt(r, evidence, suspects);
    }

    /** The nested-run command line for one L1 of its own. */
    private static List<String> nestedRunCommand(Path scratch, int timeoutSeconds, Path nvmeImage,
                                                 List<String> command, Path console, Path shutdownTrace) {
        List<String> cmd = new ArrayList<>(List.of(repo().resolve("scripts/nested-run").toString(),
                "--timeout", Integer.toString(timeoutSeconds), "--scratch", scratch.toString(),
                "--console-log", console.toString(), "--smp", l1Vcpus(),
                // Every run keeps L1's KVM events up to the first guest triple fault: the exit
                // that ended the guest carries its RIP, which jvmm can no longer read on AMD.
                "--kvm-trace", shutdownTrace.toString()));
        l1Environment(scratch).forEach((k, v) -> cmd.addAll(List.of("-e", k + "=" + v)));
        if (nvmeImage != null) {
            cmd.addAll(List.of("--nvme", nvmeImage.toString()));
        }
        cmd.add("--");
        cmd.addAll(command);
        return cmd;
    }

    /**
     * What a nested test's command gets in its environment in L1, beyond nested-run's own: the
     * build folder bin/jvmm runs from, and JVM options by which a JVM that crashes in L1 writes
     * its report where the host can read it (L1's /tmp is gone with L1); its head is printed
     * here and its frame decides on a rerun.
     */
    static Map<String, String> l1Environment(Path scratch) {
        return Map.of("JVMM_TARGET", System.getProperty("jvmm.target", "target"), "JAVA_OPTS", l1JavaOptions(scratch));
    }

    /** The JVM options every JVM started in L1 gets (bin/jvmm and the test launchers read JAVA_OPTS). */
    static String l1JavaOptions(Path scratch) {
        return "-XX:ErrorFile=" + scratch.toAbsolutePath() + "/hs_err_pid%p.log";
    }

    /**
     * The tail of an L1 KVM trace that scripts/lib/l1-kvm-trace saved when a guest triple-faulted
     * or hung, as a section of a failure message; empty if none was saved. L1's view of the
     * guest's last moments: the exit that ended it carries the guest RIP and the event being
     * delivered, which the vCPU registers jvmm can read no longer do.
     */
    static String l1KvmTrace(Path trace) throws IOException {
        if (!Files.exists(trace)) {
            return "";
        }
        String t = Files.readString(trace);
        return "\n--- L1's last KVM events (" + trace + ", tail) ---\n" + (t.length() > 3000 ? t.substring(t.length() - 3000) : t);
    }

    /** Appends one line to the file scripts/test sums up at the end (-Djvmm.reruns). */
    private static synchronized void recordRerun(String test, String why) throws IOException {
        String file = System.getProperty("jvmm.reruns");
        Path f = file != null && !file.isBlank() ? Path.of(file) : workDir("").resolve("reruns.txt");
        Files.createDirectories(f.toAbsolutePath().getParent());
        Files.writeString(f, test + ": " + why.replace('\n', ' ') + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    /** The nested test class that called into this one. */
    private static String callingTest() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .walk(frames -> frames.map(StackWalker.StackFrame::getDeclaringClass)
                        .filter(c -> c != NestedHost.class).findFirst())
                .map(Class::getSimpleName).orElse("a nested test");
    }

    /** Where nested-run --kvm-trace saves L1's KVM events of attempt {@code number}'s first guest triple fault. */
    static Path tripleFaultTrace(Path scratch, int number) {
        return scratch.resolve("l1-kvm-trace-at-triple-fault." + number + ".txt");
    }

    /**
     * Prints the end of L1's KVM events up to a guest's triple fault, when a run had one
     * (expected in RealKvmNestedIT's triple-fault scenario; anywhere else it is a jvmm bug to
     * find, and this is where the guest was).
     */
    private static void printTripleFaultTrace(Path trace) throws IOException {
        if (!Files.exists(trace)) {
            return;
        }
        List<String> lines = Files.readAllLines(trace, StandardCharsets.ISO_8859_1);
        int end = lines.size();
        for (int i = 0; i < lines.size(); i++) {
            if (SHUTDOWN_EXIT.matcher(lines.get(i)).find()) {
                end = i + 1;
                break;
            }
        }
        System.out.println("=== a guest triple-faulted in this L1 run: L1's last KVM events up to it (" + trace + ") ===");
        lines.subList(Math.max(0, end - 40), end).forEach(System.out::println);
        System.out.println("=== end of " + trace.getFileName() + " ===");
    }

    /** Prints the head of each JVM crash report. */
    private static void printJvmCrashReports(List<Path> reports) throws IOException {
        for (Path f : reports) {
            System.out.println("=== a JVM crashed in the nested host: " + f + " (first 60 lines) ===");
            try (var lines = Files.lines(f, StandardCharsets.ISO_8859_1)) {
                lines.limit(60).forEach(System.out::println);
            }
            System.out.println("=== end of " + f.getFileName() + " ===");
        }
    }

    /** Runs a host command, echoing its output to this JVM's stdout (for CI logs) and keeping it. */
    static Result exec(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(repo().toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        StringBuilder out = new StringBuilder();
        Thread pump = new Thread(() -> pump(p.getInputStream(), out, System.out));
        pump.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
            pump.join(5000);
            return new Result(TIMEOUT_EXIT, out + "\n[killed after " + timeoutSeconds + " s]");
        }
        pump.join(10_000);
        synchronized (out) {
            return new Result(p.exitValue(), out.toString());
        }
    }

    /** Copies {@code in} to {@code echo} and appends it to {@code sink} (under its lock) until it ends. */
    static void pump(InputStream in, StringBuilder sink, OutputStream echo) {
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                String s = new String(buf, 0, n, StandardCharsets.UTF_8);
                synchronized (sink) {
                    sink.append(s);
                }
                echo.write(buf, 0, n);
                echo.flush();
            }
        } catch (IOException ignored) {
            // The process ended.
        }
    }
}
