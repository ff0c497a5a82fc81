package io.jvmm.nested;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One nested test host (L1) kept running for several test classes: nested-run's command is
 * {@code scripts/lib/l1-jobs}, which runs each class's command as a job in its own PID, mount
 * and network namespaces (see that script). An L1 boot costs 6-9 s of emulated CPU and starts
 * with a cold page cache, and each of the suite's classes paid both; now the classes that need
 * nothing but the scratch share pay them once.
 *
 * <p>A job's outcome is read like a run of its own: its exit status, its output, and L1's
 * kernel messages while it ran (the job's console). When the session dies under a job (a
 * lockup caught by nested-run's watchdog, a panic), the job gets nested-run's exit status and
 * the session's whole console, and the session is gone: the next job boots a new L1. The
 * session also ends whenever a job gives evidence that the host failed or runs out of time,
 * so a rerun always gets a fresh L1, as before.
 *
 * <p>Every session's L1 has an emulated NVMe disk (nested-run --nvme), which no L1 driver
 * claims until a VFIO class binds it to vfio-pci. A class that asks for an L1 with its own
 * NVMe image ({@link NestedHost#runInL1(Path, int, Path, List)}) runs here too: its image's bytes are copied into the
 * session's before its job and back after it ({@link #loadNvme}, {@link #storeNvme}), so the
 * class reads what its guests wrote from its own image, as it did after an L1 of its own.
 * Before this the two VFIO classes booted an L1 each, and
 * the classes after them a third; each boot cost 6-9 s and a cold page cache.
 */
final class L1Session {
    /** How long a job's host-side wait may exceed its own limit before the session is killed. */
    private static final int GRACE_SECONDS = 120;
    /** The size of every session's NVMe disk, and so of every image a class loads into it. */
    static final long NVME_BYTES = 64L << 20;

    private static L1Session current;
    private static int sessions;

    private final Path jobs;
    private final Path console;
    private final Path nvme;
    private final Process nestedRun;
    /** What nested-run printed (L1's boot, its failure if it died), complete once {@link #pump} has ended. */
    private final StringBuilder sessionOutput = new StringBuilder();
    private final Thread pump;
    private int jobNumber;

    private L1Session(Path jobs, Path console, Path nvme, Process nestedRun, String id) {
        this.jobs = jobs;
        this.console = console;
        this.nvme = nvme;
        this.nestedRun = nestedRun;
        this.pump = new Thread(() -> NestedHost.pump(nestedRun.getInputStream(), sessionOutput, System.out),
                "l1-session-" + id);
        pump.setDaemon(true);
        pump.start();
    }

    /** Whether sessions are used (-Djvmm.nested.session=false: one L1 per class, as before). */
    static boolean enabled() {
        return !"false".equals(System.getProperty("jvmm.nested.session"));
    }

    /** The directory every session shares with L1: the parent of every class's scratch dir. */
    static Path root() throws IOException {
        return NestedHost.workDir("").toRealPath();
    }

    /** The running session, or a new one (booting L1) when there is none. */
    static synchronized L1Session get() throws IOException, InterruptedException {
        if (current != null && current.nestedRun.isAlive()) {
            return current;
        }
        current = start();
        return current;
    }

    /** Ends the running session, if any (L1 powers off). */
    static synchronized void end() {
        if (current != null) {
            current.stop();
            current = null;
        }
    }

    private static L1Session start() throws IOException, InterruptedException {
        Path root = root();
        sessions++;
        String id = ProcessHandle.current().pid() + "-" + sessions;
        Path jobs = Files.createDirectories(root.resolve(".l1-jobs-" + id));
        try (var old = Files.list(jobs)) {
            for (Path p : old.toList()) {
                Files.delete(p);
            }
        }
        Path console = root.resolve(".l1-session-" + id + ".console.log");
        Files.deleteIfExists(console);
        Path nvme = root.resolve(".l1-session-" + id + ".nvme.img");
        Files.deleteIfExists(nvme);
        try (RandomAccessFile f = new RandomAccessFile(nvme.toFile(), "rw")) {
            f.setLength(NVME_BYTES);
        }
        List<String> cmd = List.of(NestedHost.repo().resolve("scripts/nested-run").toString(),
                // The session lives as long as the suite; each job has its own limit.
                "--timeout", "14400", "--scratch", root.toString(), "--console-log", console.toString(),
                "--nvme", nvme.toString(), "--smp", NestedHost.l1Vcpus(),
                "--", "bash", NestedHost.repo().resolve("scripts/lib/l1-jobs").toString(), jobs.toString());
        System.out.println("L1 session " + id + ": booting one L1 for the nested classes that follow (" + jobs + ")");
        Process p = new ProcessBuilder(cmd).directory(NestedHost.repo().toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        L1Session s = new L1Session(jobs, console, nvme, p, id);
        Runtime.getRuntime().addShutdownHook(new Thread(s::stop));
        while (!Files.exists(jobs.resolve("ready"))) {
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        return s;
    }

    /**
     * Makes the session's NVMe disk hold {@code image}'s bytes, for the next job. QEMU reads and
     * writes the disk's file through the host's page cache, and nothing in L1 caches the disk
     * (no driver has it until a job binds it to vfio-pci, and the L2 guests read it with
     * O_DIRECT), so what is written here is what the next job's guest reads.
     */
    void loadNvme(Path image) throws IOException {
        long size = Files.size(image);
        if (size != NVME_BYTES) {
            throw new IllegalArgumentException(image + " is " + size + " bytes; a session's NVMe disk is "
                    + NVME_BYTES + " (L1Session.NVME_BYTES)");
        }
        copyBytes(image, nvme);
    }

    /** Writes what the session's NVMe disk holds now (a job's guests wrote it) into {@code image}. */
    void storeNvme(Path image) throws IOException {
        copyBytes(nvme, image);
    }

    /** Overwrites {@code to}, which has {@code from}'s size, with {@code from}'s bytes. */
    private static void copyBytes(Path from, Path to) throws IOException {
        try (var in = java.nio.channels.FileChannel.open(from);
             var out = java.nio.channels.FileChannel.open(to, java.nio.file.StandardOpenOption.WRITE)) {
            long size = in.size();
            long done = 0;
            while (done < size) {
                done += in.transferTo(done, size - done, out.position(done));
            }
            out.force(false);
        }
    }

    /** Whether {@code scratch} is inside the directory this kind of session shares with L1. */
    static boolean covers(Path scratch) throws IOException {
        return scratch.toAbsolutePath().normalize().startsWith(root());
    }

    /**
     * Runs {@code script} (bash text) as a job, streaming its output to {@code echo}; returns
     * its status and output, and writes L1's kernel messages while it ran to {@code jobConsole}.
     * When the session died under the job, the status is nested-run's and the console is the
     * session's; when the job outlived its limit plus a grace period, the session is killed and
     * the status is {@link NestedHost#TIMEOUT_EXIT}.
     */
    NestedHost.Result run(String script, int timeoutSeconds, Path jobConsole, PrintStream echo)
            throws IOException, InterruptedException {
        int n = ++jobNumber;
        Path tmp = jobs.resolve(n + ".tmp");
        Files.writeString(tmp, "# timeout " + timeoutSeconds + "\n" + script);
        Files.move(tmp, jobs.resolve(n + ".job"), StandardCopyOption.ATOMIC_MOVE);
        Path out = jobs.resolve(n + ".out");
        Path rc = jobs.resolve(n + ".rc");
        StringBuilder text = new StringBuilder();
        long read = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds + GRACE_SECONDS);
        while (true) {
            boolean done = Files.exists(rc);
            read = copyNew(out, read, text, echo);
            if (done) {
                Files.copy(jobs.resolve(n + ".console"), jobConsole, StandardCopyOption.REPLACE_EXISTING);
                return new NestedHost.Result(Integer.parseInt(Files.readString(rc).strip()), text.toString());
            }
            if (!nestedRun.isAlive()) {
                nestedRun.waitFor();
                pump.join(10_000);
                copyNew(out, read, text, echo);
                int status = nestedRun.exitValue();
                text.append("\n[the L1 session ended under this job; nested-run exit ").append(status).append("]\n");
                synchronized (sessionOutput) {
                    text.append(sessionOutput);
                }
                if (Files.exists(console)) {
                    Files.copy(console, jobConsole, StandardCopyOption.REPLACE_EXISTING);
                }
                return new NestedHost.Result(status, text.toString());
            }
            if (System.nanoTime() > deadline) {
                stop();
                return new NestedHost.Result(NestedHost.TIMEOUT_EXIT, text + "\n[killed after " + timeoutSeconds + " s]");
            }
            Thread.sleep(200);
        }
    }

    /** Appends what {@code file} gained since {@code from} to {@code text} and {@code echo}; the new length. */
    private static long copyNew(Path file, long from, StringBuilder text, OutputStream echo) throws IOException {
        if (!Files.exists(file)) {
            return from;
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            if (len <= from) {
                return from;
            }
            byte[] b = new byte[(int) (len - from)];
            f.seek(from);
            f.readFully(b);
            text.append(new String(b, StandardCharsets.UTF_8));
            echo.write(b);
            echo.flush();
            return len;
        }
    }

    /** Asks L1 to power off; kills it if it has not within 60 s. */
    private void stop() {
        if (!nestedRun.isAlive()) {
            return;
        }
        try {
            Files.writeString(jobs.resolve("stop"), "");
            if (!nestedRun.waitFor(60, TimeUnit.SECONDS)) {
                nestedRun.descendants().forEach(ProcessHandle::destroyForcibly);
                nestedRun.destroyForcibly();
            }
        } catch (IOException | InterruptedException e) {
            nestedRun.descendants().forEach(ProcessHandle::destroyForcibly);
            nestedRun.destroyForcibly();
        }
    }

    /**
     * A job's bash script, as nested-run's cmd.sh with --kvm-trace has it: the environment, the
     * repository as working directory, and the command run by {@code l1-kvm-trace around},
     * which keeps L1's KVM events up to a guest triple fault; the command's status is the job's.
     */
    static String script(Map<String, String> env, Path repo, Path kvmTrace, List<String> command) {
        List<String> lines = new ArrayList<>();
        env.forEach((k, v) -> lines.add("export " + k + "=" + quote(v)));
        lines.add("cd " + quote(repo.toString()) + " || exit 125");
        List<String> traced = new ArrayList<>(List.of(repo.resolve("scripts/lib/l1-kvm-trace").toString(), "around",
                kvmTrace.toString(), "--"));
        traced.addAll(command);
        lines.add("exec " + String.join(" ", traced.stream().map(L1Session::quote).toList()));
        return String.join("\n", lines) + "\n";
    }

    /** {@code s} as one bash word, taken literally. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
