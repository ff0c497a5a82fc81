package io.jvmm.nested;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 3, section 3 items 4 and 5 for virtio-rng: a Linux guest (virtio_pci + virtio_rng loaded
 * by its init) reads 1 MiB from /dev/hwrng with virtio_rng as the current source, then unbinds
 * and rebinds virtio_pci through sysfs (a driver reset and a fresh probe) and reads again. A
 * second VM feeds the device from a file of one repeated byte, so what the guest reads can only
 * have come through our device.
 */
@Tag("nested")
class VirtioRngNestedIT {
    /** A byte that /dev/urandom would not produce 256 Ki times in a row. */
    private static final int PATTERN = 0xab;
    private static final String CMDLINE = "console=ttyS0 reboot=k panic=-1 quiet jvmm.mods=1 jvmm.end=poweroff";
    private static final String GUEST_SCRIPT = """
            hw=/sys/class/misc/hw_random
            echo "RESULT rng_available=$(cat $hw/rng_available)"
            echo "RESULT rng_current=$(cat $hw/rng_current)"
            bdf=
            for d in /sys/bus/pci/devices/*; do
              if [ "$(cat $d/vendor)" = 0x1af4 ] && [ "$(cat $d/device)" = 0x1044 ]; then bdf=$(basename $d); fi
            done
            echo "RESULT bdf=$bdf"
            echo "RESULT class=$(cat /sys/bus/pci/devices/$bdf/class)"
            echo "RESULT msix_irqs=$(grep virtio /proc/interrupts | grep -c MSI)"
            head -c %1$d /dev/hwrng > /tmp/rng
            echo "RESULT first_bytes=$(wc -c < /tmp/rng)"
            # Distinct byte values in the first 64 KiB: sorting the whole MiB as text is slow in L2.
            echo "RESULT first_distinct=$(head -c 65536 /tmp/rng | od -An -v -tx1 | tr -s ' ' '\\n' | grep . | sort -u | wc -l)"
            echo "RESULT first_not_pattern=$(tr -d '\\%2$03o' < /tmp/rng | wc -c)"
            echo "RESULT first_md5=$(md5sum < /tmp/rng | cut -d' ' -f1)"
            echo $bdf > /sys/bus/pci/drivers/virtio-pci/unbind
            echo "RESULT unbound_current=$(cat $hw/rng_current)"
            echo $bdf > /sys/bus/pci/drivers/virtio-pci/bind
            echo "RESULT rebound_current=$(cat $hw/rng_current)"
            head -c 65536 /dev/hwrng > /tmp/rng2
            echo "RESULT second_bytes=$(wc -c < /tmp/rng2)"
            echo "RESULT second_not_pattern=$(tr -d '\\%2$03o' < /tmp/rng2 | wc -c)"
            echo "RESULT second_md5=$(md5sum < /tmp/rng2 | cut -d' ' -f1)"
            """;

    private static GuestScenario urandom;
    private static GuestScenario pattern;

    @BeforeAll
    static void runScenariosInL1() throws IOException, InterruptedException {
        Path repo = NestedHost.repo();
        Path work = Files.createDirectories(NestedHost.workDir("virtio-rng"));
        Path assets = NestedHost.guestAssets(NestedHost.workDir("guest"));
        Path kernel = assets.resolve("vmlinuz");

        urandom = scenario(work, "urandom", kernel, assets, 1 << 20, "");
        byte[] constant = new byte[64 * 1024];
        Arrays.fill(constant, (byte) PATTERN);
        pattern = scenario(work, "pattern", kernel, assets, 256 * 1024, "source = \"pattern.bin\"\n");
        Files.write(pattern.dir().resolve("pattern.bin"), constant);

        // urandom runs with the default seccomp filters (on) and shows their self-check at debug
        // level; pattern runs in log mode, where the kernel logs what a list does not allow.
        String driver = "#!/bin/sh\n" + urandom.driverLines(repo, 300, "--log-level debug")
                + pattern.driverLines(repo, 300, "--seccomp=log");
        Path script = work.resolve("driver.sh");
        Files.writeString(script, driver);
        NestedHost.runInL1(work, 900, List.of("sh", script.toString()));
    }

    private static GuestScenario scenario(Path work, String name, Path kernel, Path assets, int bytes,
                                          String deviceKeys) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve(name));
        for (String f : List.of("exit", "jvmm.out", "serial.log")) {
            Files.deleteIfExists(dir.resolve(f));
        }
        Path initrd = NestedHost.initrdWithScript(assets, work.resolve("initrd-" + name + ".cpio.gz"),
                GUEST_SCRIPT.formatted(bytes, PATTERN));
        GuestScenario s = GuestScenario.create(work, name, kernel, initrd, "512M", 1, CMDLINE);
        Files.writeString(s.dir().resolve("vm.toml"), s.config() + """

                [[device]]
                type = "virtio-rng"
                id = "rng0"
                """ + deviceKeys);
        return s;
    }

    @Test
    void theGuestReadsOneMebibyteFromVirtioRng() throws IOException {
        Map<String, String> r = urandom.results();
        assertThat(urandom.exitCode()).as(urandom.describe()).isZero();
        assertThat(r.get("rng_current")).as(urandom.describe()).startsWith("virtio_rng.");
        assertThat(r.get("class")).as(urandom.describe()).isEqualTo("0xff0000");
        assertThat(r.get("first_bytes")).as(urandom.describe()).isEqualTo(Integer.toString(1 << 20));
        // 1 MiB of /dev/urandom holds every byte value.
        assertThat(r.get("first_distinct")).as(urandom.describe()).isEqualTo("256");
        assertThat(Integer.parseInt(r.get("msix_irqs"))).as("virtio_pci uses MSI-X\n" + urandom.describe())
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void theRngWorksAgainAfterUnbindingAndRebindingVirtioPci() throws IOException {
        Map<String, String> r = urandom.results();
        assertThat(r.get("unbound_current")).as(urandom.describe()).isIn("none", "");
        assertThat(r.get("rebound_current")).as(urandom.describe()).startsWith("virtio_rng.");
        assertThat(r.get("second_bytes")).as(urandom.describe()).isEqualTo("65536");
        assertThat(r.get("second_md5")).as(urandom.describe()).isNotEqualTo(r.get("first_md5"));
        assertThat(urandom.serial()).as(urandom.describe()).doesNotContain("DEVICE_NEEDS_RESET");
    }

    @Test
    void theBytesComeFromTheConfiguredSource() throws IOException {
        Map<String, String> r = pattern.results();
        assertThat(pattern.exitCode()).as(pattern.describe()).isZero();
        assertThat(r.get("first_bytes")).as(pattern.describe()).isEqualTo(Integer.toString(256 * 1024));
        assertThat(r.get("first_not_pattern")).as(pattern.describe()).isEqualTo("0");
        assertThat(r.get("second_bytes")).as(pattern.describe()).isEqualTo("65536");
        assertThat(r.get("second_not_pattern")).as(pattern.describe()).isEqualTo("0");
    }

    /** seccomp records of L1's kernel log: (comm, syscall number, action code). */
    private static List<String[]> seccompRecords(GuestScenario s) throws IOException {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("comm=\"([^\"]*)\".*? syscall=(\\d+) .*?code=(0x[0-9a-f]+)");
        List<String[]> out = new java.util.ArrayList<>();
        for (String line : s.seccompAudit().lines().toList()) {
            java.util.regex.Matcher m = p.matcher(line);
            if (m.find()) {
                out.add(new String[] {m.group(1), m.group(2), m.group(3)});
            }
        }
        return out;
    }

    /** With the default filters a boot reading /dev/hwrng works, and the only call they refused is the self-check. */
    @Test
    void theDefaultSeccompFiltersAreOnAndRefuseOnlyTheSelfCheck() throws IOException {
        assertThat(urandom.exitCode()).as(urandom.describe()).isZero();
        assertThat(urandom.jvmmOutput()).as(urandom.describe())
                .contains("seccomp: on (vCPU threads may make")
                .containsPattern("seccomp on on worker thread rng0-rng: \\d+ system calls allowed; forbidden getppid "
                        + "refused \\(EPERM\\)")
                .containsPattern("seccomp on on vcpu thread \\S+: \\d+ system calls allowed; forbidden getppid refused");
        List<String[]> records = seccompRecords(urandom);
        assertThat(records).as(urandom.describe()).isNotEmpty();
        assertThat(records).as("every refusal is the self-check (110 = getppid), SECCOMP_RET_ERRNO (0x50000)\n"
                        + urandom.describe())
                .allSatisfy(r -> assertThat(r[1] + " " + r[2]).isEqualTo("110 0x50000"));
    }

    /** In log mode a call outside a device worker's list goes through and L1's kernel logs it, naming the thread. */
    @Test
    void logModeLetsAForbiddenCallFromADeviceWorkerThroughAndTheKernelLogsIt() throws IOException {
        assertThat(pattern.exitCode()).as(pattern.describe()).isZero();
        assertThat(seccompRecords(pattern)).as(pattern.describe())
                .anySatisfy(r -> assertThat(r[0] + " " + r[1] + " " + r[2]).isEqualTo("rng0-rng 110 0x7ffc0000"));
    }
}
