package io.jvmm.nested;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 4, section 2.5: each error a user hits with a vfio device ends jvmm with a non-zero
 * exit and one message saying what is wrong and what to do. All cases run in one L1 boot with
 * the emulated NVMe, in an order that sets each one up: before and after binding the NVMe to
 * vfio-pci, with a driver loaded for one function of the ICH9 multi-function device (whose
 * functions share IOMMU group), without /dev/vfio (a private mount namespace), as an
 * unprivileged user, and with a locked-memory limit below the guest's RAM.
 */
@Tag("nested")
class VfioErrorsNestedIT {
    /** A jvmm run of the scenario and what it left behind. */
    record Case(String name, Path dir) {
        int exitCode() throws IOException {
            Path f = dir.resolve("exit");
            return Files.exists(f) ? Integer.parseInt(Files.readString(f).strip()) : -1;
        }

        String output() throws IOException {
            Path f = dir.resolve("jvmm.out");
            return Files.exists(f) ? Files.readString(f) : "";
        }

        String describe() throws IOException {
            return "case " + name + " (exit " + exitCode() + ")\n--- jvmm output ---\n" + output() + "\n--- L1 ---\n"
                    + (l1 == null ? "" : l1.output());
        }
    }

    private static final Map<String, Case> cases = new LinkedHashMap<>();
    private static NestedHost.Result l1;

    @BeforeAll
    static void runCasesInL1() throws IOException, InterruptedException {
        Path repo = NestedHost.repo();
        Path work = Files.createDirectories(NestedHost.workDir("vfio-errors"));
        Path image = work.resolve("nvme.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(L1Session.NVME_BYTES); // the size of a shared L1's NVMe disk
        }
        Path assets = NestedHost.guestAssets(NestedHost.workDir("guest"));
        for (String name : new String[] {"no-such-device", "not-bound", "other-driver", "not-viable", "no-dev-vfio",
                "no-permission", "memlock"}) {
            Path dir = Files.createDirectories(work.resolve(name));
            Files.deleteIfExists(dir.resolve("exit"));
            Files.deleteIfExists(dir.resolve("jvmm.out"));
            Files.writeString(dir.resolve("vm.toml"), """
                    [vm]
                    name = "%s"
                    memory = "512M"
                    vcpus = 1

                    [boot]
                    kernel = "%s"
                    initramfs = "%s"
                    cmdline = "console=ttyS0 panic=-1 quiet"

                    [serial]
                    mode = "off"

                    [[device]]
                    type = "vfio"
                    host = "@HOST@"
                    """.formatted(name, assets.resolve("vmlinuz"), assets.resolve("initrd.cpio.gz")));
            cases.put(name, new Case(name, dir));
        }
        String nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp/nobody "
                + "JAVA_OPTS='-Djava.io.tmpdir=/tmp/nobody -Djna.tmpdir=/tmp/nobody' ";
        String script = "#!/bin/sh\ncd '" + repo + "'\n"
                + """
                # run NAME HOST [WRAPPER...]: one jvmm run of case NAME with host = HOST
                run() {
                  name=$1; host=$2; shift 2
                  dir="$WORK/$name"
                  sed -i "s|@HOST@|$host|" "$dir/vm.toml"
                  timeout -k 10 120 "$@" bin/jvmm run --no-api "$dir/vm.toml" > "$dir/jvmm.out" 2>&1
                  echo $? > "$dir/exit"
                  echo "case $name: exit $(cat "$dir/exit"): $(tail -1 "$dir/jvmm.out")"
                }
                """
                + "WORK='" + work + "'\n"
                + """
                nvme=""
                for d in /sys/bus/pci/devices/*; do
                  [ "$(cat $d/vendor)" = 0x1b36 ] && [ "$(cat $d/device)" = 0x0010 ] && nvme=$(basename $d)
                done
                smbus=0000:00:1f.3
                sata=0000:00:1f.2
                # In a shared L1 a VFIO job may have bound the NVMe before: the first cases need it
                # with no driver and no override.
                [ -e /sys/bus/pci/devices/$nvme/driver ] && echo $nvme > /sys/bus/pci/devices/$nvme/driver/unbind
                echo > /sys/bus/pci/devices/$nvme/driver_override
                # Cases that need the same sysfs state run two at a time: L1 has two CPUs, and a
                # JVM starting in L1 is most of each case's time.
                run no-such-device 0000:00:1e.0 env & run not-bound "$nvme" env & wait
                modprobe -d "$JVMM_L1_MODROOT" i2c-i801
                echo "L1: $smbus is bound to $(basename "$(readlink /sys/bus/pci/devices/$smbus/driver)")"
                run other-driver "$smbus" env
                for d in "$nvme" "$sata"; do
                  echo vfio-pci > /sys/bus/pci/devices/$d/driver_override
                  echo $d > /sys/bus/pci/drivers_probe
                done
                ls -l /dev/vfio
                echo "L1: IOMMU group of $sata: $(ls /sys/bus/pci/devices/$sata/iommu_group/devices)"
                run not-viable "$sata" env &
                run no-dev-vfio "$nvme" unshare -m sh -c 'mount -t tmpfs none /dev/vfio && exec "$@"' sh &
                wait
                chmod 666 /dev/kvm
                mkdir -p /tmp/nobody && chmod 777 /tmp/nobody
                """
                + "run no-permission \"$nvme\" " + nobody + "\n"
                + "chmod 666 /dev/vfio/$(basename \"$(readlink /sys/bus/pci/devices/$nvme/iommu_group)\")\n"
                + "run memlock \"$nvme\" sh -c 'ulimit -l 64 && exec \"$@\"' sh " + nobody + "\n";
        Path driver = work.resolve("driver.sh");
        Files.writeString(driver, script);
        // The cases take about 90 s in L1; a stall (one earlier version of this setup hung in L1's
        // sysfs) should fail in minutes, not after the usual 15.
        l1 = NestedHost.runInL1(work, 420, image,
                java.util.List.of("sh", driver.toString()));
    }

    private static Case failed(String name) throws IOException {
        Case c = cases.get(name);
        assertThat(c.exitCode()).as(c.describe()).isNotIn(0, -1, 124);
        return c;
    }

    @Test
    void noSuchDevice() throws IOException {
        Case c = failed("no-such-device");
        assertThat(c.output()).as(c.describe()).contains("no PCI device 0000:00:1e.0 on this host")
                .contains("lspci -D");
    }

    @Test
    void deviceNotBoundToAnyDriver() throws IOException {
        Case c = failed("not-bound");
        assertThat(c.output()).as(c.describe()).contains("is not bound to vfio-pci (it has no driver)")
                .contains("driver_override").contains("drivers_probe");
    }

    @Test
    void deviceBoundToAnotherDriverShowsThatDriver() throws IOException {
        Case c = failed("other-driver");
        assertThat(c.output()).as(c.describe()).contains("0000:00:1f.3 is bound to i801_smbus, not vfio-pci")
                .contains("0000:00:1f.3/driver/unbind");
    }

    @Test
    void groupNotViableListsTheOtherDevicesOfTheGroup() throws IOException {
        Case c = failed("not-viable");
        assertThat(c.output()).as(c.describe()).contains("is not viable")
                .contains("0000:00:1f.3 (bound to i801_smbus)").contains("0000:00:1f.0");
    }

    @Test
    void devVfioMissing() throws IOException {
        Case c = failed("no-dev-vfio");
        assertThat(c.output()).as(c.describe()).contains("/dev/vfio/vfio does not exist");
    }

    @Test
    void noPermissionOnTheGroupFile() throws IOException {
        Case c = failed("no-permission");
        assertThat(c.output()).as(c.describe()).contains("no permission to use VFIO").contains("run jvmm as root");
    }

    @Test
    void lockedMemoryLimitBelowGuestRam() throws IOException {
        Case c = failed("memlock");
        assertThat(c.output()).as(c.describe()).contains("locked-memory limit").contains("is 64 KiB")
                .contains("all 512 MiB of guest RAM");
    }
}
