package io.jvmm.nested;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The nested classes share one L1 (L1Session), so one class must not see what another left
 * behind: two jobs in the same session, the first leaving a process, files in /tmp, /run and
 * /dev/shm and a tap, the second looking for them. Both report the L1 boot they ran in, so
 * the test also shows that they did share it, and the L1 has the vCPUs the build asked for
 * (jvmm.nested.l1.vcpus).
 */
@Tag("nested")
class L1SessionNestedIT {
    private static Path work;
    private static NestedHost.Result first;
    private static NestedHost.Result second;

    @BeforeAll
    static void twoJobs() throws IOException, InterruptedException {
        assumeTrue(L1Session.enabled(), "-Djvmm.nested.session=false: every class boots an L1 of its own");
        work = NestedHost.workDir("l1-session");
        Files.deleteIfExists(work.resolve("heartbeat"));
        Path leave = Files.writeString(work.resolve("leave.sh"), """
                echo "boot_id=$(cat /proc/sys/kernel/random/boot_id)"
                echo "l1_cpus=$(grep -c ^processor /proc/cpuinfo)"
                # A process that outlives its job would go on writing the heartbeat file.
                W=$(dirname "$0")
                setsid bash -c 'while true; do date +%s%N > "$0/heartbeat"; sleep 0.5; done' "$W" < /dev/null > /dev/null 2>&1 &
                sleep 1
                touch /tmp/left-by-job-1 /dev/shm/left-by-job-1
                mkdir -p /run/jvmm && touch /run/jvmm/left.sock
                modprobe -d "$JVMM_L1_MODROOT" tun && ip tuntap add dev tapleft mode tap && echo "tap=made"
                echo "pid_in_namespace=$$"
                """);
        Path look = Files.writeString(work.resolve("look.sh"), """
                echo "boot_id=$(cat /proc/sys/kernel/random/boot_id)"
                W=$(dirname "$0")
                a=$(cat "$W/heartbeat"); sleep 2; b=$(cat "$W/heartbeat")
                [ "$a" = "$b" ] && echo "heartbeat=stopped" || echo "heartbeat=still beating"
                ls /tmp/left-by-job-1 /dev/shm/left-by-job-1 /run/jvmm 2>/dev/null | sed 's/^/left: /'
                ip link show tapleft > /dev/null 2>&1 && echo "left: tapleft"
                echo "done"
                """);
        first = NestedHost.runInL1(work, 120, List.of("bash", leave.toString()));
        second = NestedHost.runInL1(work, 120, List.of("bash", look.toString()));
    }

    private static String value(NestedHost.Result r, String key) {
        return r.output().lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
                .findFirst().orElse("");
    }

    @Test
    void bothJobsRanInTheSameL1Boot() {
        assertThat(value(first, "boot_id")).as(first.output()).isNotEmpty().isEqualTo(value(second, "boot_id"));
    }

    @Test
    void theSessionsL1HasTheConfiguredNumberOfVcpus() {
        assertThat(value(first, "l1_cpus")).as(first.output()).isEqualTo(NestedHost.l1Vcpus());
    }

    @Test
    void aJobRunsInAPidNamespaceOfItsOwnAndCanMakeATap() {
        assertThat(first.exitCode()).as(first.output()).isZero();
        // A few processes into a new namespace (unshare's child is its pid 1), where L1's own
        // namespace is hundreds of pids in by the time a job runs.
        assertThat(Integer.parseInt(value(first, "pid_in_namespace"))).as(first.output()).isLessThan(20);
        assertThat(value(first, "tap")).as(first.output()).isEqualTo("made");
    }

    @Test
    void theNextJobSeesNoProcessFileSocketOrTapTheFirstLeft() {
        assertThat(second.exitCode()).as(second.output()).isZero();
        assertThat(second.output()).as(second.output()).contains("done").doesNotContain("left:");
        assertThat(work.resolve("heartbeat")).as("the first job's background process ran").exists();
        assertThat(value(second, "heartbeat")).as(second.output()).isEqualTo("stopped");
    }
}
