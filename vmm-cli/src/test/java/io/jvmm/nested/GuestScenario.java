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
    /** What jvmm run prints when a vCPU takes KVM_EXIT_SHUTDOWN. */
    static final String TRIPLE_FAULT = "guest triple-faulted";
    /** The first line a crashing JVM prints (its hs_err report has the rest). */
    static final String JVM_CRASH = "A fatal error has been detected by the Java Runtime Environment";

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
     * The shell lines that run this scenario inside L1 (with a per-run time limit). A run in
     * which the JVM crashed or the guest triple-faulted is run once more, saying FLAKE; the
     * first run's output is kept as jvmm.out.first and serial.log.first. Both are what the
     * nested host's emulated CPU does now and then (HOST-FACTS; README, Tests): a JVM dies of a
     * fault on an ordinary instruction of freshly JIT-compiled code, or a guest triple-faults,
     * in VMs of every kind, at boot or under load. The same in the second run fails the test.
     */
    String driverLines(Path repo, int timeoutSeconds) {
        return driverLines(repo, timeoutSeconds, true);
    }

    /**
     * As {@link #driverLines(Path, int)}; {@code rerunOnHostFault} false for a scenario whose
     * partners in L1 (a network peer, say) serve one run only: Failsafe's rerun of the failed
     * tests repeats the whole L1 run instead.
     */
    String driverLines(Path repo, int timeoutSeconds, boolean rerunOnHostFault) {
        return """
                cd '%1$s' && for attempt in $(seq %2$s); do
                  timeout %3$d bin/jvmm run '%4$s/vm.toml' > '%4$s/jvmm.out' 2>&1; echo $? > '%4$s/exit'
                  flake=
                  grep -aq '%5$s' '%4$s/jvmm.out' && flake='the JVM crashed'
                  grep -aq '%6$s' '%4$s/jvmm.out' && flake='the guest triple-faulted'
                  { [ -z "$flake" ] || [ "$attempt" = %2$s ]; } && break
                  echo "FLAKE: scenario %7$s: $flake (an emulated-CPU fault of the nested host); running it once more"
                  mv '%4$s/jvmm.out' '%4$s/jvmm.out.first'; mv '%4$s/serial.log' '%4$s/serial.log.first' 2>/dev/null
                done
                echo "scenario %7$s: jvmm exit $(cat '%4$s/exit')"
                """.formatted(repo, rerunOnHostFault ? 2 : 1, timeoutSeconds, dir, JVM_CRASH,
                TRIPLE_FAULT, name);
    }

    int exitCode() throws IOException {
        Path f = dir.resolve("exit");
        return Files.exists(f) ? Integer.parseInt(Files.readString(f).strip()) : -1;
    }

    String jvmmOutput() throws IOException {
        Path f = dir.resolve("jvmm.out");
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
        return "scenario " + name + "\n--- jvmm output ---\n" + jvmmOutput() + "\n--- serial (tail) ---\n"
                + tail(serial(), 4000);
    }

    private static String tail(String s, int n) {
        return s.length() <= n ? s : s.substring(s.length() - n);
    }
}
