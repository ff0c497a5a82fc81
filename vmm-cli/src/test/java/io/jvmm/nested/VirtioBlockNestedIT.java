package io.jvmm.nested;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 3, section 3 item 1: virtio-blk under a Linux guest (virtio_blk loaded by its init). One
 * VM gets three disks at once: a writable one (serial, two queues) that the guest reads a marker
 * from, writes a pattern to, discards part of, and reads again after unbinding and rebinding its
 * driver; a read-only one it must fail to write; and an ext4 image made on the host with
 * {@code mkfs.ext4 -d} that it mounts and reads a file from. A second VM uses {@code direct = true}.
 * After the VMs exit the test reads the images back.
 */
@Tag("nested")
class VirtioBlockNestedIT {
    private static final String CMDLINE = "console=ttyS0 reboot=k panic=-1 quiet jvmm.mods=1 jvmm.end=poweroff";
    private static final long DISK_BYTES = 64L << 20;
    private static final long RO_BYTES = 8L << 20;
    private static final long EXT_BYTES = 32L << 20;
    private static final int MARKER_SECTOR = 100;
    private static final long PATTERN_AT = 4L << 20;
    private static final int PATTERN_BYTES = 1 << 20;
    private static final long DISCARD_AT = 8L << 20;
    private static final int DISCARD_BYTES = 1 << 20;
    private static final String DISKS_SCRIPT = """
            for d in vda vdb vdc; do
              echo "RESULT size_$d=$(cat /sys/block/$d/size)"
              echo "RESULT serial_$d=$(cat /sys/block/$d/serial)"
              echo "RESULT ro_$d=$(cat /sys/block/$d/ro)"
            done
            echo "RESULT mq_vda=$(ls /sys/block/vda/mq | wc -l)"
            echo "RESULT marker=$(dd if=/dev/vda bs=512 skip=%1$d count=1 2>/dev/null | tr -d '\\000')"
            dd if=/dev/urandom of=/tmp/pat bs=4096 count=%2$d 2>/dev/null
            echo "RESULT pattern_md5=$(md5sum < /tmp/pat | cut -d' ' -f1)"
            dd if=/tmp/pat of=/dev/vda bs=4096 seek=%3$d conv=fsync 2>/dev/null; echo "RESULT pattern_rc=$?"
            sync
            echo 3 > /proc/sys/vm/drop_caches
            echo "RESULT readback_md5=$(dd if=/dev/vda bs=4096 skip=%3$d count=%2$d 2>/dev/null | md5sum | cut -d' ' -f1)"
            dd if=/dev/zero of=/dev/vdb bs=512 count=1 conv=fsync 2>/dev/null; echo "RESULT ro_write_rc=$?"
            mkdir -p /mnt/e && mount -t ext4 -o ro /dev/vdc /mnt/e; echo "RESULT mount_rc=$?"
            echo "RESULT ext_md5=$(md5sum < /mnt/e/payload.bin | cut -d' ' -f1)"
            umount /mnt/e
            echo "RESULT discard_max=$(cat /sys/block/vda/queue/discard_max_bytes)"
            blkdiscard -o %4$d -l %5$d /dev/vda; echo "RESULT discard_rc=$?"
            bdf=$(basename $(readlink -f /sys/block/vda/device/..))
            echo $bdf > /sys/bus/pci/drivers/virtio-pci/unbind
            echo "RESULT unbound=$([ -e /sys/block/vda ] && echo present || echo gone)"
            echo $bdf > /sys/bus/pci/drivers/virtio-pci/bind
            sleep 1
            dev=$(for b in /sys/bus/pci/devices/$bdf/virtio*/block/*; do basename $b; done)
            echo "RESULT rebound_dev=$dev"
            echo "RESULT rebound_marker=$(dd if=/dev/$dev bs=512 skip=%1$d count=1 2>/dev/null | tr -d '\\000')"
            """;
    private static final String DIRECT_SCRIPT = """
            echo "RESULT marker=$(dd if=/dev/vda bs=512 skip=%1$d count=1 2>/dev/null | tr -d '\\000')"
            dd if=/dev/urandom of=/tmp/pat bs=4096 count=%2$d 2>/dev/null
            echo "RESULT pattern_md5=$(md5sum < /tmp/pat | cut -d' ' -f1)"
            dd if=/tmp/pat of=/dev/vda bs=4096 seek=%3$d conv=fsync 2>/dev/null; echo "RESULT pattern_rc=$?"
            dd if=/tmp/pat of=/dev/vda bs=512 seek=7 count=3 conv=fsync 2>/dev/null; echo "RESULT small_rc=$?"
            """;

    private static String marker;
    private static byte[] roImage;
    private static String payloadMd5;
    private static GuestScenario disks;
    private static GuestScenario direct;

    @BeforeAll
    static void runScenariosInL1() throws Exception {
        Path repo = NestedHost.repo();
        Path work = Files.createDirectories(NestedHost.workDir("virtio-blk"));
        Path assets = NestedHost.guestAssets(NestedHost.workDir("guest"));
        Path kernel = assets.resolve("vmlinuz");
        marker = "JVMM-MARKER-" + Long.toHexString(new Random().nextLong());

        disks = scenario(work, assets, kernel, "disks", DISKS_SCRIPT, """
                [[device]]
                type = "virtio-blk"
                id = "vda"
                path = "disk.img"
                serial = "jvmm-disk-a"
                queues = 2

                [[device]]
                type = "virtio-blk"
                id = "vdb"
                path = "ro.img"
                readonly = true

                [[device]]
                type = "virtio-blk"
                id = "vdc"
                path = "ext4.img"
                """);
        diskWithMarker(disks.dir().resolve("disk.img"));
        roImage = new byte[(int) RO_BYTES];
        new Random(3).nextBytes(roImage);
        Files.write(disks.dir().resolve("ro.img"), roImage);
        payloadMd5 = ext4Image(disks.dir());

        direct = scenario(work, assets, kernel, "direct", DIRECT_SCRIPT, """
                [[device]]
                type = "virtio-blk"
                id = "vda"
                path = "disk.img"
                direct = true
                """);
        diskWithMarker(direct.dir().resolve("disk.img"));

        String driver = "#!/bin/sh\n" + disks.driverLines(repo, 300) + direct.driverLines(repo, 300);
        Path script = work.resolve("driver.sh");
        Files.writeString(script, driver);
        NestedHost.runInL1(work, 900, List.of("sh", script.toString()));
    }

    private static GuestScenario scenario(Path work, Path assets, Path kernel, String name, String script,
                                          String devices) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve(name));
        for (String f : List.of("exit", "jvmm.out", "serial.log")) {
            Files.deleteIfExists(dir.resolve(f));
        }
        Path initrd = NestedHost.initrdWithScript(assets, work.resolve("initrd-" + name + ".cpio.gz"),
                script.formatted(MARKER_SECTOR, PATTERN_BYTES / 4096, PATTERN_AT / 4096, DISCARD_AT, DISCARD_BYTES));
        GuestScenario s = GuestScenario.create(work, name, kernel, initrd, "512M", 2, CMDLINE);
        Files.writeString(s.dir().resolve("vm.toml"), s.config() + "\n" + devices);
        return s;
    }

    /** A sparse 64 MiB image with the marker at sector 100 and non-zero bytes where the guest discards. */
    private static void diskWithMarker(Path path) throws IOException {
        Files.deleteIfExists(path);
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
            f.setLength(DISK_BYTES);
            f.seek(MARKER_SECTOR * 512L);
            f.write(marker.getBytes(StandardCharsets.US_ASCII));
            byte[] fill = new byte[DISCARD_BYTES];
            Arrays.fill(fill, (byte) 0x77);
            f.seek(DISCARD_AT);
            f.write(fill);
        }
    }

    /** An ext4 image holding payload.bin, made with mkfs.ext4 -d; returns the payload's md5. */
    private static String ext4Image(Path dir) throws Exception {
        Path src = Files.createDirectories(dir.resolve("ext4-src"));
        byte[] payload = new byte[3_000_001];
        new Random(5).nextBytes(payload);
        Files.write(src.resolve("payload.bin"), payload);
        Path image = dir.resolve("ext4.img");
        Files.deleteIfExists(image);
        NestedHost.Result r;
        try {
            r = NestedHost.exec(List.of("mkfs.ext4", "-q", "-F", "-d", src.toString(), image.toString(),
                    (EXT_BYTES >> 20) + "M"), 60);
        } catch (IOException e) {
            throw new AssertionError("mkfs.ext4 is missing: install e2fsprogs (scripts/setup-host)", e);
        }
        assertThat(r.exitCode()).as("mkfs.ext4 -d failed:\n" + r.output()).isZero();
        return md5(payload);
    }

    private static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    private static byte[] range(Path file, long at, int length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] b = new byte[length];
            f.seek(at);
            f.readFully(b);
            return b;
        }
    }

    @Test
    void theGuestSeesEachDiskWithItsImagesSizeAndSerial() throws IOException {
        Map<String, String> r = disks.results();
        assertThat(disks.exitCode()).as(disks.describe()).isZero();
        assertThat(r.get("size_vda")).as(disks.describe()).isEqualTo(Long.toString(DISK_BYTES / 512));
        assertThat(r.get("size_vdb")).as(disks.describe()).isEqualTo(Long.toString(RO_BYTES / 512));
        assertThat(r.get("size_vdc")).as(disks.describe()).isEqualTo(Long.toString(EXT_BYTES / 512));
        assertThat(r.get("serial_vda")).as(disks.describe()).isEqualTo("jvmm-disk-a");
        assertThat(r.get("serial_vdb")).as("default serial: the device id\n" + disks.describe()).isEqualTo("vdb");
        assertThat(r.get("mq_vda")).as("queues = 2\n" + disks.describe()).isEqualTo("2");
    }

    @Test
    void theGuestReadsTheMarkerTheTestWrote() throws IOException {
        assertThat(disks.results().get("marker")).as(disks.describe()).isEqualTo(marker);
    }

    @Test
    void whatTheGuestWritesIsInTheImageAfterTheVmExits() throws Exception {
        Map<String, String> r = disks.results();
        assertThat(r.get("pattern_rc")).as(disks.describe()).isEqualTo("0");
        assertThat(r.get("readback_md5")).as(disks.describe()).isEqualTo(r.get("pattern_md5"));
        assertThat(md5(range(disks.dir().resolve("disk.img"), PATTERN_AT, PATTERN_BYTES)))
                .as(disks.describe()).isEqualTo(r.get("pattern_md5"));
    }

    @Test
    void aReadonlyDiskRefusesWritesAndStaysUnchanged() throws IOException {
        Map<String, String> r = disks.results();
        assertThat(r.get("ro_vdb")).as(disks.describe()).isEqualTo("1");
        assertThat(r.get("ro_vda")).as(disks.describe()).isEqualTo("0");
        assertThat(r.get("ro_write_rc")).as(disks.describe()).isNotEqualTo("0");
        assertThat(Files.readAllBytes(disks.dir().resolve("ro.img"))).isEqualTo(roImage);
    }

    @Test
    void anExt4ImageMadeOnTheHostIsMountedAndItsFileReadByteForByte() throws IOException {
        Map<String, String> r = disks.results();
        assertThat(r.get("mount_rc")).as(disks.describe()).isEqualTo("0");
        assertThat(r.get("ext_md5")).as(disks.describe()).isEqualTo(payloadMd5);
    }

    @Test
    void aDiscardFromTheGuestLeavesZeroesInTheImage() throws IOException {
        Map<String, String> r = disks.results();
        assertThat(Long.parseLong(r.get("discard_max"))).as(disks.describe()).isPositive();
        assertThat(r.get("discard_rc")).as(disks.describe()).isEqualTo("0");
        assertThat(range(disks.dir().resolve("disk.img"), DISCARD_AT, DISCARD_BYTES)).containsOnly(0);
    }

    @Test
    void theDiskWorksAgainAfterItsDriverIsUnboundAndRebound() throws IOException {
        Map<String, String> r = disks.results();
        assertThat(r.get("unbound")).as(disks.describe()).isEqualTo("gone");
        assertThat(r.get("rebound_marker")).as(disks.describe()).isEqualTo(marker);
        assertThat(disks.serial()).as(disks.describe()).doesNotContain("DEVICE_NEEDS_RESET");
    }

    @Test
    void directIoReadsAndWritesThroughODirect() throws Exception {
        Map<String, String> r = direct.results();
        assertThat(direct.exitCode()).as(direct.describe()).isZero();
        assertThat(r.get("marker")).as(direct.describe()).isEqualTo(marker);
        assertThat(r.get("pattern_rc")).as(direct.describe()).isEqualTo("0");
        assertThat(r.get("small_rc")).as(direct.describe()).isEqualTo("0");
        assertThat(md5(range(direct.dir().resolve("disk.img"), PATTERN_AT, PATTERN_BYTES)))
                .as(direct.describe()).isEqualTo(r.get("pattern_md5"));
    }
}
