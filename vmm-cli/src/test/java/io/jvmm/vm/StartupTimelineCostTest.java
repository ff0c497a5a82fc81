package io.jvmm.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every jvmm start marks "main" in the timeline; only debug output needs the JVM's start time,
 * whose lookup through {@code ProcessHandle} is not free. Checked in a fresh JVM's class-loading
 * log, since this test's JVM has loaded everything already.
 */
class StartupTimelineCostTest {
    /** The class {@code ProcessHandle.current().info()} loads. */
    private static final String LOOKUP_CLASS = "java.lang.ProcessHandleImpl$Info";

    @Test
    void versionMarksMainWithoutLookingUpTheJvmStart() throws Exception {
        Set<String> loaded = loadedClasses(run("io.jvmm.cli.JvmmCommand", "--version"));
        assertThat(loaded.contains("io.jvmm.vm.StartupTimeline")).as("the timeline was used").isTrue();
        assertThat(loaded.contains(LOOKUP_CLASS)).as("the JVM's start time was looked up").isFalse();
    }

    @Test
    void askingForTheTimeSinceStartLooksItUp() throws Exception {
        String out = run(Probe.class.getName());
        assertThat(out).contains("since start: ");
        assertThat(loadedClasses(out).contains(LOOKUP_CLASS)).as("the JVM's start time was looked up").isTrue();
    }

    /** A JVM that marks a step and asks how long it has been running. */
    static final class Probe {
        public static void main(String[] args) {
            StartupTimeline.mark("main");
            System.out.println("since start: " + StartupTimeline.millisSinceJvmStart());
        }
    }

    /** Class names from a {@code -Xlog:class+load} log: "[0.012s][info][class,load] NAME source: ...". */
    private static Set<String> loadedClasses(String log) {
        String tag = "[class,load] ";
        return log.lines().filter(l -> l.contains(tag))
                .map(l -> l.substring(l.indexOf(tag) + tag.length()).split(" ", 2)[0])
                .collect(Collectors.toSet());
    }

    /** Runs {@code mainClass} in a fresh JVM that logs each class it loads; its output. */
    private static String run(String mainClass, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text.lines().filter(l -> !l.startsWith("[")).toList().toString()).isZero();
        return text;
    }
}
