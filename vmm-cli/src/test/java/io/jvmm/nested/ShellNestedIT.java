package io.jvmm.nested;

import io.jvmm.snapshot.SnapshotFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jvmm shell} on a real terminal (a pty made by script(1), TERM=xterm): boot at start,
 * "pau" + Tab completed to pause, info shows PAUSED, snapshot after pause, resume, the guest's
 * shell answers through {@code console} and Ctrl-] comes back with the VM still running,
 * Ctrl-D asks before leaving, quit ends jvmm with exit code 0.
 */
@Tag("nested")
class ShellNestedIT {
    private static Path work;
    private static String output;
    private static int exit;
    private static String description;

    @BeforeAll
    static void runInL1() throws IOException, InterruptedException {
        Path repo = NestedHost.repo();
        work = NestedHost.workDir("shell");
        for (String f : List.of("pty.out", "exit", "steps", "l1-kvm-trace-stall.txt")) {
            Files.deleteIfExists(work.resolve(f));
        }
        for (String dir : List.of("snap", "stall")) {
            Path d = work.resolve(dir);
            if (Files.exists(d)) {
                try (var files = Files.list(d)) {
                    for (Path p : files.toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
        Path assets = NestedHost.guestAssets(NestedHost.workDir("guest"));
        Files.writeString(work.resolve("shell.toml"), """
                [vm]
                name = "shellvm"
                memory = "256M"
                [boot]
                kernel = "%s"
                initramfs = "%s"
                cmdline = "console=ttyS0 reboot=k panic=-1 quiet jvmm.end=shell"
                """.formatted(assets.resolve("vmlinuz"), assets.resolve("initrd.cpio.gz")));
        // Each step types at the prompt and waits for the answer; "steps" records how far it got.
        String driver = """
                #!/bin/bash
                cd '%1$s'
                w='%2$s'
                export TERM=xterm JVMM_HISTORY="$w/history"
                rm -f "$w/history"
                keys=$(mktemp -u /tmp/keys.XXXXXX); mkfifo "$keys"   # in L1's tmpfs: a FIFO on the 9p share carries nothing
                ( timeout 300 script -qfec "bin/jvmm shell $w/shell.toml" /dev/null < "$keys" > "$w/pty.out" 2>&1
                  echo $? > "$w/exit" ) &
                exec 3> "$keys"
                wait_for() { for i in $(seq "$2"); do grep -aq -- "$1" "$w/pty.out" 2>/dev/null && return 0; sleep 0.5; done
                             echo "timed out waiting for: $1" >> "$w/steps"; return 1; }
                step() { echo "$1" >> "$w/steps"; }
                # A guest that never prompts: L1's last KVM events, and a snapshot of it from the
                # shell, whose interrupt state the failure message decodes (StallReport).
                stall_evidence() { scripts/lib/l1-kvm-trace save "$w/l1-kvm-trace-stall.txt"
                  printf '\035' >&3; wait_for 'back in the shell' 20
                  printf 'pause\r' >&3; sleep 2; printf 'snapshot %%s\r' "$w/stall" >&3
                  wait_for "snapshot written to $w/stall" 120; printf 'resume\r' >&3; sleep 2; printf 'console\r' >&3; }
                scripts/lib/l1-kvm-trace start
                wait_for 'shellvm (running)> ' 240 && step prompt
                printf 'pau' >&3
                wait_for '> pau' 40 && step typed
                printf '\\t' >&3
                wait_for '> pause' 40 && step completed
                printf '\\r' >&3
                wait_for 'jvmm: paused' 40 && step paused
                printf 'info\\r' >&3
                wait_for 'state:   PAUSED' 40 && step info
                printf 'snapshot %%s\\r' "$w/snap" >&3
                wait_for 'snapshot written to' 120 && step snapshot
                printf 'resume\\r' >&3
                wait_for 'jvmm: resumed' 40 && step resumed
                printf 'console\\r' >&3
                wait_for 'attached to the serial console' 40 && step attached
                wait_for '/ # ' 240 && step guest-shell || stall_evidence
                for try in 1 2 3 4 5; do
                  printf 'echo SHELL-$((6*7))\\r' >&3
                  wait_for SHELL-42 20 && break
                done
                printf '\\035' >&3
                wait_for 'back in the shell; the VM is running' 40 && step detached
                printf 'info\\r' >&3
                wait_for 'state:   RUNNING' 40 && step running
                sleep 1   # keys typed before the prompt is back meet the cooked tty, where ^D is VEOF
                printf '\\004' >&3
                wait_for 'Leave? \\[y/N\\]' 40 && step asked
                printf 'n\\r' >&3; sleep 1
                printf 'quit\\r' >&3
                wait
                echo "shell scenario: jvmm exit $(cat "$w/exit")" | tee -a "$w/steps"
                """.formatted(repo, work);
        Files.writeString(work.resolve("driver.sh"), driver);
        NestedHost.runInL1(work, 600, List.of("bash", work.resolve("driver.sh").toString()));
        Path out = work.resolve("pty.out");
        output = Files.exists(out) ? Files.readString(out).replace("\r", "") : "";
        Path exitFile = work.resolve("exit");
        exit = Files.exists(exitFile) ? Integer.parseInt(Files.readString(exitFile).strip()) : -1;
    }

    /** What every failure message shows, read once: the outputs do not change after the L1 run. */
    private static String describe() throws IOException {
        if (description == null) {
            description = readDescription();
        }
        return description;
    }

    private static String readDescription() throws IOException {
        Path steps = work.resolve("steps");
        // The stall directory outlives a run (only its files are cleared): its state file says this run took one.
        String stall = Files.exists(work.resolve("stall").resolve(SnapshotFile.STATE_FILE)) ? "\nthe guest never prompted; its snapshot then:\n"
                + StallReport.describe(work.resolve("stall")) + NestedHost.l1KvmTrace(work.resolve("l1-kvm-trace-stall.txt")) : "";
        return "steps:\n" + (Files.exists(steps) ? Files.readString(steps) : "(none)") + "\npty output:\n" + output + stall;
    }

    @Test
    void tabCompletesPauAndPauseStopsTheVm() throws IOException {
        assertThat(output).as(describe()).contains("jvmm: booted shellvm", "jvmm: paused")
                .doesNotContain("unknown command 'pau'");
    }

    @Test
    void infoShowsPausedThenSnapshotThenResume() throws IOException {
        assertThat(output).as(describe()).contains("state:   PAUSED", "snapshot written to " + work.resolve("snap"),
                "jvmm: resumed", "state:   RUNNING");
        assertThat(work.resolve("snap").resolve("state.bin")).as(describe()).exists();
    }

    @Test
    void consoleReachesTheGuestAndCtrlBracketReturnsWithTheVmRunning() throws IOException {
        assertThat(output).as(describe()).contains("SHELL-42", "back in the shell; the VM is running");
    }

    /**
     * The guest prompts after pause, snapshot and resume by itself. A guest that only came back
     * after the driver paused it again (to take its stall snapshot) still reached SHELL-42, and
     * that passed once while the resumed vCPU had spun on a pending kick for minutes (VcpuRunner).
     */
    @Test
    void theResumedGuestPromptsWithoutAnotherPause() throws IOException {
        Path steps = work.resolve("steps");
        assertThat(Files.exists(steps) ? Files.readString(steps) : "").as(describe()).contains("guest-shell");
    }

    @Test
    void ctrlDAsksAndQuitLeavesWithExitZero() throws IOException {
        assertThat(output).as(describe()).contains("A VM is running; leaving stops it. Leave? [y/N]");
        assertThat(exit).as(describe()).isZero();
        assertThat(work.resolve("history")).exists();
        assertThat(Files.readString(work.resolve("history"))).contains("pause", "snapshot", "quit");
    }
}
