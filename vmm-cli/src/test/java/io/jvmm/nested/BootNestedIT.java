package io.jvmm.nested;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;


/**
 * Issue 2, section 6: jvmm boots the Debian cloud kernel inside the nested KVM test host.
 * One L1 boot runs every scenario in turn (L1 takes a while to start); each test then checks
 * what its scenario left in the scratch directory.
 */
@Tag("nested")
class BootNestedIT {
    private static final String GUEST_SCRIPT = """
            echo "RESULT cpus=$(cat /sys/devices/system/cpu/online)"
            echo "RESULT cmdline=$(cat /proc/cmdline)"
            echo "RESULT memtotal_kb=$(awk '/MemTotal/ {print $2}' /proc/meminfo)"
            for d in /sys/bus/pci/devices/*; do
              [ -e "$d" ] && echo "RESULT pci=$(basename $d) $(cat $d/vendor) $(cat $d/device) $(cat $d/class)"
            done
            """;
    private static final String BASE_CMDLINE = "console=ttyS0 reboot=k panic=-1 quiet";

    private static GuestScenario poweroff;
    private static GuestScenario reboot;
    private static GuestScenario big;
    private static GuestScenario small;
    private static GuestScenario pvh;
    private static NestedHost.Result l1;

    @BeforeAll
    static void runScenariosInL1() throws IOException, InterruptedException {
        Path repo = NestedHost.repo();
        Path work = Files.createDirectories(NestedHost.workDir("boot"));
        try (var old = Files.list(work)) {
            for (Path p : old.toList()) {
                if (Files.isDirectory(p)) {
                    for (String f : List.of("exit", "jvmm.out", "serial.log")) {
                        Files.deleteIfExists(p.resolve(f));
                    }
                }
            }
        }
        Path assets = NestedHost.guestAssets(NestedHost.workDir("guest"));
        Path kernel = assets.resolve("vmlinuz");
        Path initrd = NestedHost.initrdWithScript(assets, work.resolve("initrd-boot.cpio.gz"), GUEST_SCRIPT);

        poweroff = GuestScenario.create(work, "poweroff", kernel, initrd, "512M", 2,
                BASE_CMDLINE + " jvmm.end=poweroff jvmm.marker=cmdline-roundtrip");
        reboot = GuestScenario.create(work, "reboot", kernel, initrd, "512M", 1, BASE_CMDLINE + " jvmm.end=reboot");
        big = GuestScenario.create(work, "mem3g", kernel, initrd, "3G", 1, BASE_CMDLINE + " jvmm.end=poweroff");
        small = GuestScenario.create(work, "mem256m", kernel, initrd, "256M", 1, BASE_CMDLINE + " jvmm.end=poweroff");
        // The same kernel as an ELF vmlinux, entered through its PVH note (32-bit protected mode).
        Path vmlinux = work.resolve("vmlinux");
        NestedHost.Result extracted = NestedHost.exec(List.of(repo.resolve("scripts/extract-vmlinux").toString(),
                kernel.toString(), vmlinux.toString()), 120);
        assertThat(extracted.exitCode()).as(extracted.output()).isZero();
        pvh = GuestScenario.create(work, "pvh", vmlinux, initrd, "512M", 2, BASE_CMDLINE + " jvmm.end=poweroff");

        StringBuilder driver = new StringBuilder("#!/bin/sh\n");
        for (GuestScenario s : List.of(poweroff, reboot, big, pvh)) {
            driver.append(s.driverLines(repo, 300));
        }
        driver.append(small.driverLines(repo, 300, "--log-level debug"));
        Path script = work.resolve("driver.sh");
        Files.writeString(script, driver.toString());
        l1 = NestedHost.runInL1(work, 1500, List.of("sh", script.toString()));
    }

    @Test
    void bootsToInitAndPowerOffEndsJvmmWithExitZero() throws IOException {
        assertThat(poweroff.serial()).as(poweroff.describe()).contains(GuestScenario.INIT_MARKER);
        assertThat(poweroff.exitCode()).as(poweroff.describe()).isZero();
        assertThat(poweroff.jvmmOutput()).as(poweroff.describe()).contains("powered off");
    }

    @Test
    void rebootEndsJvmmWithExitZero() throws IOException {
        assertThat(reboot.serial()).as(reboot.describe()).contains(GuestScenario.INIT_MARKER);
        assertThat(reboot.exitCode()).as(reboot.describe()).isZero();
        assertThat(reboot.jvmmOutput()).as(reboot.describe()).containsIgnoringCase("reset");
    }

    @Test
    void twoVcpusAreOnline() throws IOException {
        assertThat(poweroff.results().get("cpus")).as(poweroff.describe()).isEqualTo("0-1");
    }

    @Test
    void guestSeesTheConfiguredCommandLine() throws IOException {
        assertThat(poweroff.results().get("cmdline")).as(poweroff.describe())
                .isEqualTo(BASE_CMDLINE + " jvmm.end=poweroff jvmm.marker=cmdline-roundtrip");
    }

    @Test
    void guestSeesThePciHostBridge() throws IOException {
        assertThat(poweroff.results().get("pci")).as(poweroff.describe()).contains("0000:00:00.0").contains("0x060000");
    }

    @Test
    void threeGibGuestHasRamOnBothSidesOfTheHole() throws IOException {
        String kb = big.results().get("memtotal_kb");
        assertThat(kb).as(big.describe()).isNotNull();
        double gib = Long.parseLong(kb) / (1024.0 * 1024.0);
        assertThat(gib).as(big.describe()).isBetween(3.0 * 0.95, 3.0 * 1.05);
        assertThat(big.exitCode()).as(big.describe()).isZero();
    }

    @Test
    void elfVmlinuxBootsThroughItsPvhNote() throws IOException {
        assertThat(pvh.serial()).as(pvh.describe()).contains(GuestScenario.INIT_MARKER);
        assertThat(pvh.results().get("cpus")).as(pvh.describe()).isEqualTo("0-1");
        assertThat(pvh.exitCode()).as(pvh.describe()).isZero();
    }

    @Test
    void smallGuestBoots() throws IOException {
        assertThat(small.serial()).as(small.describe()).contains(GuestScenario.INIT_MARKER);
        assertThat(small.exitCode()).as(small.describe()).isZero();
    }

    /** --log-level debug attributes the time to the first guest instruction, step by step (issue 10). */
    @Test
    void debugLoggingPrintsTheStartUpTimelineUpToTheFirstKvmRun() throws IOException {
        String timeline = small.jvmmOutput().lines().filter(l -> l.contains("start-up (ms since the JVM started"))
                .findFirst().orElse("");
        assertThat(timeline).as(small.describe()).containsSubsequence(" main ", "command line parsed", "config read",
                "plugins loaded", "KVM VM with irqchip and PIT", "guest RAM mapped", "legacy devices", "plugin devices",
                "kernel, initramfs, ACPI", "vCPUs", "first KVM_RUN");
        System.out.println("jvmm start-up in L1 (256M guest): " + timeline);
    }
}
