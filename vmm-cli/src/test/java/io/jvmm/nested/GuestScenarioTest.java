package io.jvmm.nested;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The shell lines a scenario runs in L1, run here against a stand-in for bin/jvmm. */
class GuestScenarioTest {
    @TempDir
    Path repo;

    /** A bin/jvmm whose first run triple-faults and whose later runs pass. */
    private GuestScenario scenarioWithAFirstRunThatTripleFaults() throws Exception {
        Path bin = Files.createDirectories(repo.resolve("bin"));
        Path jvmm = Files.writeString(bin.resolve("jvmm"), """
                #!/bin/sh
                d=$(dirname "$2")
                if [ -e "$d/ran" ]; then echo 'jvmm: the guest powered off'; echo booted > "$d/serial.log"; exit 0; fi
                touch "$d/ran"; echo 'half' > "$d/serial.log"
                echo 'jvmm: guest triple-faulted (treated as reset)'; exit 0
                """);
        Files.setPosixFilePermissions(jvmm, PosixFilePermissions.fromString("rwxr-xr-x"));
        return GuestScenario.create(repo.resolve("scratch"), "s1", repo.resolve("vmlinuz"), repo.resolve("initrd"),
                "256M", 1, "console=ttyS0");
    }

    /** Runs the lines with sh, quietly (their FLAKE lines are not the build's). */
    private static String run(String lines) throws Exception {
        Process p = new ProcessBuilder(List.of("sh", "-c", lines)).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void aRunWhoseGuestTripleFaultedIsRunOnceMoreAndSaysFlake() throws Exception {
        GuestScenario s = scenarioWithAFirstRunThatTripleFaults();

        String out = run(s.driverLines(repo, 30));

        assertThat(out).contains("FLAKE: scenario s1: the guest triple-faulted", "scenario s1: jvmm exit 0");
        assertThat(s.jvmmOutput()).contains("powered off").doesNotContain("triple");
        assertThat(s.serial()).isEqualTo("booted\n");
        assertThat(s.dir().resolve("jvmm.out.first")).content().contains("triple-faulted");
        assertThat(s.dir().resolve("serial.log.first")).content().isEqualTo("half\n");
    }

    @Test
    void withoutRerunTheFirstRunStandsForTheL1RunToBeRepeated() throws Exception {
        GuestScenario s = scenarioWithAFirstRunThatTripleFaults();

        String out = run(s.driverLines(repo, 30, false));

        assertThat(out).doesNotContain("FLAKE").contains("scenario s1: jvmm exit 0");
        assertThat(s.jvmmOutput()).contains("triple-faulted");
    }
}
