package io.jvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM flags {@code bin/jvmm} picks, run on a copy of the script beside a stand-in
 * {@code java} that prints its arguments (the flags are the script's job; the JVM's effect of
 * them is measured in the nested test host, see README, Benchmarks, memory).
 */
class LauncherScriptTest {
    private static final String TRIM = "-XX:TrimNativeHeapInterval=2000";

    @TempDir
    Path dir;

    @Test
    void aVmHostTrimsTheNativeHeapOnJvmsThatHaveTheFlag() throws Exception {
        assertThat(argsOf("17.0.15", "run", "vm.toml")).contains(TRIM);
        assertThat(argsOf("17.0.9", "restore", "snap")).contains(TRIM);
        assertThat(argsOf("21.0.1", "shell", "vm.toml")).contains(TRIM);
        assertThat(argsOf("25", "run", "vm.toml")).contains(TRIM);
        assertThat(argsOf("26-ea", "run", "vm.toml")).contains(TRIM);
    }

    @Test
    void jvmsWithoutTheFlagAreNotGivenIt() throws Exception {
        assertThat(argsOf("17.0.8", "run", "vm.toml")).doesNotContain(TRIM).contains("run");
        assertThat(argsOf("21", "run", "vm.toml")).doesNotContain(TRIM);
        assertThat(argsOf("20.0.2", "run", "vm.toml")).doesNotContain(TRIM);
        assertThat(argsOf(null, "run", "vm.toml")).as("no release file").doesNotContain(TRIM).contains("run");
    }

    @Test
    void shortCommandsAreNotGivenIt() throws Exception {
        assertThat(argsOf("17.0.15", "check", "vm.toml")).doesNotContain(TRIM).contains("-Xint");
        assertThat(argsOf("17.0.15", "ls")).doesNotContain(TRIM);
    }

    @Test
    void aVmHostStartsWithTheMeasuredHeapAndYoungGenerationWhateverTheHostsRam() throws Exception {
        assertThat(argsOf("17.0.8", "run", "vm.toml")).contains("-Xms48m");
        assertThat(argsOf("17.0.15", "restore", "snap")).contains("-Xms48m");
        assertThat(argsOf("17.0.15", "shell", "vm.toml")).contains("-Xms48m", "-Xmn8m");
        assertThat(argsOf("17.0.15", "check", "vm.toml")).doesNotContain("-Xms48m").doesNotContain("-Xmn8m");
    }

    @Test
    void aVmHostMapsTheArchiveMadeForItAndKeepsItsAddressRandom() throws Exception {
        for (String command : List.of("run", "restore", "shell")) {
            List<String> args = argsOf("17.0.15", command, "x");
            assertThat(args).as(command)
                    .anyMatch(a -> a.startsWith("-XX:SharedArchiveFile=") && a.endsWith("/vmm-cli/target/jvmm-vm.jsa"))
                    .doesNotContain("-XX:ArchiveRelocationMode=0");
        }
    }

    @Test
    void shortCommandsMapTheWholeArchiveWhereItWasDumped() throws Exception {
        for (String command : List.of("check", "ls", "--version", "pause")) {
            List<String> args = argsOf("17.0.15", command);
            assertThat(args).as(command)
                    .anyMatch(a -> a.startsWith("-XX:SharedArchiveFile=") && a.endsWith("/vmm-cli/target/jvmm.jsa"))
                    .contains("-XX:ArchiveRelocationMode=0");
        }
    }

    /** What a stand-in JVM of {@code version} (no release file when null) is started with for {@code args}. */
    private List<String> argsOf(String version, String... args) throws IOException, InterruptedException {
        Path root = Files.createTempDirectory(dir, "repo");
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.copy(Path.of("..", "bin", "jvmm"), bin.resolve("jvmm"), StandardCopyOption.COPY_ATTRIBUTES);
        Path target = Files.createDirectories(root.resolve("vmm-cli/target"));
        Files.write(target.resolve("jvmm-cli.jar"), new byte[0]);
        // The build's two class-data archives, newer than the jar as a build leaves them.
        FileTime built = FileTime.fromMillis(Files.getLastModifiedTime(target.resolve("jvmm-cli.jar")).toMillis() + 10_000);
        for (String jsa : List.of("jvmm.jsa", "jvmm-vm.jsa")) {
            Files.setLastModifiedTime(Files.write(target.resolve(jsa), new byte[0]), built);
        }
        Path jdk = Files.createDirectories(root.resolve("jdk/bin"));
        Path java = jdk.resolve("java");
        Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (version != null) {
            Files.writeString(root.resolve("jdk/release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        }
        List<String> cmd = new ArrayList<>(List.of("bash", bin.resolve("jvmm").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JAVA", java.toString());
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("JVMM_TARGET");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().toList();
    }
}
