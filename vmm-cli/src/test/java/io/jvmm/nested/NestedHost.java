package io.jvmm.nested;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

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

    static final int TIMEOUT_EXIT = 124;
    /** nested-run's status when L1's kernel reported a CPU stuck for a minute (an L1 lockup). */
    static final int LOCKUP_EXIT = 126;
    static final int SETUP_FAILED_EXIT = 125;

    private NestedHost() {
    }

    static Path repo() {
        String repo = System.getProperty("jvmm.repo");
        Path p = repo != null ? Path.of(repo) : Path.of("").toAbsolutePath().getParent();
        assertThat(p.resolve("scripts/nested-run")).as("repository root with scripts/").exists();
        return p;
    }

    /** A directory for one nested test's files under the build's output folder (shared with L1). */
    static Path workDir(String name) throws IOException {
        return Files.createDirectories(repo().resolve("vmm-cli").resolve(System.getProperty("jvmm.target", "target"))
                .resolve("nested").resolve(name));
    }

    /** The L2 guest kernel and base initramfs, built (or taken from the cache) once. */
    static Path guestAssets(Path dir) throws IOException, InterruptedException {
        Path kernel = dir.resolve("vmlinuz");
        Path initrd = dir.resolve("initrd.cpio.gz");
        if (!Files.exists(kernel) || !Files.exists(initrd)) {
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
        return runInL1(scratch, timeoutSeconds, List.of(), command);
    }

    /** As {@link #runInL1(Path, int, List)}, with extra nested-run options (e.g. {@code --nvme IMG}). */
    static Result runInL1(Path scratch, int timeoutSeconds, List<String> nestedRunOptions, List<String> command)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(repo().resolve("scripts/nested-run").toString(),
                "--timeout", Integer.toString(timeoutSeconds), "--scratch", scratch.toString(),
                "-e", "JVMM_TARGET=" + System.getProperty("jvmm.target", "target"),
                // A JVM that crashes in L1 writes its report where the host can read it (L1's /tmp
                // is gone with L1), and the report's head is printed below into the test log.
                "-e", "JAVA_OPTS=-XX:ErrorFile=" + scratch.toAbsolutePath() + "/hs_err_pid%p.log"));
        cmd.addAll(nestedRunOptions);
        cmd.add("--");
        cmd.addAll(command);
        long started = System.currentTimeMillis();
        Set<Path> inputs = HostFaults.listing(scratch);
        Result r = exec(cmd, timeoutSeconds + 120);
        printJvmCrashReports(scratch, started);
        String flake = flakeOf(r, scratch, inputs);
        if (flake != null) {
            // The emulated L1 misbehaved (HOST-FACTS; nested-run's exit statuses, HostFaults):
            // the host of the test failed, not the code under test. Say so in the test output and
            // run the whole scenario once more; Failsafe's rerun of the class still applies after.
            System.out.println("FLAKE: " + flake + "; running the scenario once more");
            HostFaults.discardOutputs(scratch, inputs);
            long again = System.currentTimeMillis();
            Result second = exec(cmd, timeoutSeconds + 120);
            printJvmCrashReports(scratch, again);
            // Only the second run's output counts (the first is in the log above): results are parsed from it.
            r = new Result(second.exitCode(), "[FLAKE: " + flake + " in a first run, whose output is above]\n"
                    + second.output());
        }
        assertThat(r.exitCode()).as("nested host LOCKED UP twice (emulated-CPU flake, reported, not hidden):%n%s", r.output())
                .isNotEqualTo(LOCKUP_EXIT);
        assertThat(r.exitCode())
                .as("nested host TIMED OUT after %d s (L1 hung or was too slow; flake reported, not hidden):%n%s",
                        timeoutSeconds, r.output())
                .isNotEqualTo(TIMEOUT_EXIT);
        assertThat(r.exitCode()).as("nested host could not be set up:%n%s", r.output()).isNotEqualTo(SETUP_FAILED_EXIT);
        return r;
    }

    /** Why the run {@code r} says nothing about the code under test, or null when it may. */
    private static String flakeOf(Result r, Path scratch, Set<Path> inputs) throws IOException {
        if (r.exitCode() == LOCKUP_EXIT) {
            return "the nested host locked up or stopped running (nested-run exit 126)";
        }
        if (r.exitCode() == SETUP_FAILED_EXIT) {
            return "the nested host failed or crashed (nested-run exit 125)";
        }
        List<String> signs = HostFaults.signs(scratch, inputs);
        return signs.isEmpty() ? null : "the nested host's emulated CPU broke a jvmm run: " + String.join("; ", signs);
    }

    /** Prints the head of each JVM crash report written into {@code scratch} since {@code sinceMillis}. */
    private static void printJvmCrashReports(Path scratch, long sinceMillis) throws IOException {
        try (var files = Files.list(scratch)) {
            for (Path f : files.filter(p -> p.getFileName().toString().contains("hs_err_pid")).sorted().toList()) {
                if (Files.getLastModifiedTime(f).toMillis() < sinceMillis) {
                    continue;
                }
                System.out.println("=== a JVM crashed in the nested host: " + f + " (first 60 lines) ===");
                try (var lines = Files.lines(f, StandardCharsets.ISO_8859_1)) {
                    lines.limit(60).forEach(System.out::println);
                }
                System.out.println("=== end of " + f.getFileName() + " ===");
            }
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

    private static void pump(InputStream in, StringBuilder sink, OutputStream echo) {
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
