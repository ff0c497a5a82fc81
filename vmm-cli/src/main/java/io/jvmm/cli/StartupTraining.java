package io.jvmm.cli;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.jvmm.api.ApiServer;
import io.jvmm.console.ConsoleTap;
import io.jvmm.console.NullConsole;
import io.jvmm.control.EventedControl;
import io.jvmm.control.VmControl;
import io.jvmm.control.VmEvents;
import io.jvmm.kvm.JnaStartup;
import io.jvmm.kvm.LibC;
import io.jvmm.snapshot.SnapshotProgress;
import io.jvmm.spi.DeviceCommand;
import io.jvmm.vm.VmException;
import io.jvmm.vm.VmExit;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * The build's class-data training for what a {@code jvmm run} loads, which the build host
 * (no KVM) cannot run: src/cds/train runs this with {@code -XX:DumpLoadedClassList}, and the
 * classes it loads go into the archive bin/jvmm maps. It serves the real API (Jetty, Jackson)
 * for a VM that never starts and asks it with the real client commands, initialises JNA, and
 * loads, without initialising, every jvmm class in the jars: the KVM bindings, boot, ACPI,
 * devices and plugins. In the nested test host a boot to the guest's init took 12-15 s with
 * such an archive against 17-23 s without (the API server's start alone 5 s against 8-10 s).
 *
 * <p>With {@value #VM_HOST} the API is served but never asked: the training of the archive
 * that the commands hosting a VM map ({@code jvmm-vm.jsa}). They keep its address random, and
 * the JVM then relocates every pointer in it, so each page of it is resident whether its
 * classes are used or not: the classes that only answer a request (Jackson's object mapping,
 * about 480) stay out of it, and load from the jars when a client first asks.
 * Not for users: {@code java -cp vmm-cli/target/jvmm-cli.jar io.jvmm.cli.StartupTraining [--vm-host]}.
 */
public final class StartupTraining {
    private StartupTraining() {
    }

    /** The argument that trains a VM host's archive: the API served, no request made. */
    static final String VM_HOST = "--vm-host";

    public static void main(String[] args) throws Exception {
        JnaStartup.skipLdconfig(); // as JvmmCommand.main does: the training runs what a start runs
        boolean ask = !List.of(args).contains(VM_HOST);
        Path dir = Files.createTempDirectory("jvmm-cds-training");
        Path socket = dir.resolve("training.sock");
        StringWriter out = new StringWriter();
        try (ApiServer server = ApiServer.start(socket, new EventedControl(new IdleVm(), new VmEvents()),
                new ConsoleTap(new NullConsole()), "training.toml")) {
            for (String command : ask ? List.of("info", "pause", "resume") : List.<String>of()) {
                CommandLine cl = JvmmCommand.commandLineFor(new String[] {command});
                cl.setOut(new PrintWriter(out, true));
                cl.setErr(new PrintWriter(out, true));
                cl.execute(command, "training", "--api-socket", socket.toString());
            }
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
        if (ask && !out.toString().contains("training")) {
            System.err.println("class-data training: the client got no answer from the API:\n" + out);
            System.exit(1);
        }
        useJna();
        int loaded = loadJvmmClasses();
        System.out.println("class-data training: API served" + (ask ? " and asked" : "") + "; " + loaded + " jvmm classes loaded");
    }

    /**
     * JNA as a run first uses it: libc bound by direct mapping (io.jvmm.kvm.LibC), native
     * memory, a call that fails with an errno. Without this, some 30 JNA classes were read
     * from its jar and verified at every start.
     */
    private static void useJna() {
        try (Memory m = new Memory(8)) {
            m.setLong(0, 1);
        }
        try {
            LibC.close(-1);
        } catch (LastErrorException expected) {
            // EBADF: what was wanted is the path to it
        }
    }

    /** Loads, without initialising, every io.jvmm class in this jar and the jars beside it in lib/. */
    private static int loadJvmmClasses() throws IOException, URISyntaxException {
        Path jar = Path.of(StartupTraining.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Path> jars = new ArrayList<>(List.of(jar));
        Path lib = jar.resolveSibling("lib");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> s = Files.list(lib)) {
                s.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(jars::add);
            }
        }
        ClassLoader loader = StartupTraining.class.getClassLoader();
        int n = 0;
        for (Path j : jars) {
            if (!Files.isRegularFile(j)) {
                continue; // run from classes/ (an IDE): nothing to list
            }
            try (JarFile f = new JarFile(j.toFile())) {
                for (Enumeration<JarEntry> e = f.entries(); e.hasMoreElements(); ) {
                    String name = e.nextElement().getName();
                    if (name.startsWith("io/jvmm/") && name.endsWith(".class") && !name.endsWith("module-info.class")) {
                        try {
                            Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
                            n++;
                        } catch (ClassNotFoundException | LinkageError skipped) {
                            // e.g. a class of an optional dependency that is not here: not archived
                        }
                    }
                }
            }
        }
        return n;
    }

    /** A VM that is never started: the API describes it, and refuses what needs it running. */
    private static final class IdleVm implements VmControl {
        @Override
        public State state() {
            return State.CREATED;
        }

        @Override
        public void pause() throws VmException {
            throw new VmException("cannot pause: the VM is created (class-data training)");
        }

        @Override
        public void resume() throws VmException {
            throw new VmException("cannot resume: the VM is created (class-data training)");
        }

        @Override
        public void snapshot(Path dir, SnapshotProgress progress) throws VmException {
            throw new VmException("cannot snapshot: the VM is created (class-data training)");
        }

        @Override
        public void requestShutdown(boolean force) {
        }

        @Override
        public void stop(VmExit reason) {
        }

        @Override
        public Info info() {
            return new Info("training", State.CREATED, 1, 64L << 20, List.of());
        }

        @Override
        public List<DeviceCommand> deviceCommands(String deviceId) throws VmException {
            throw new VmException("no device " + deviceId);
        }
    }
}
