package io.jvmm.nested;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 4, section 2: VFIO passthrough of the nested host's emulated NVMe (L1 gets it with
 * nested-run --nvme, binds it to vfio-pci) to an L2 Debian cloud kernel under jvmm. One L1 boot
 * runs the same VM three times in a row: twice with MSI-X (the second run proves the device was
 * released cleanly and sees the first run's write) and once with the guest's MSI turned off
 * (pci=nomsi), so the controller works through INTx. A fourth run adds a virtio-blk disk beside
 * the passed-through NVMe: both must work in one VM. Each run writes its own pattern, which the
 * test reads back from the image file after the L1 run.
 */
@Tag("nested")
class VfioPassthroughNestedIT {
    static final long IMAGE_SIZE = L1Session.NVME_BYTES;
    static final long MARKER_OFFSET = 1L << 20;
    static final String MARKER = "JVMM-VFIO-MARKER-7f3a9c";
    /** Run N writes a 4 KiB block of its pattern at PATTERN_BASE + N * 4 KiB. */
    static final long PATTERN_BASE = 4L << 20;
    private static final String BASE_CMDLINE = "console=ttyS0 reboot=k panic=-1 quiet jvmm.end=poweroff";
    /** The virtio disk of run 4: a marker at sector 8, the guest's pattern goes to 4 KiB block 16. */
    static final String VIRTIO_MARKER = "JVMM-VIRTIO-BESIDE-VFIO";
    static final long VIRTIO_MARKER_OFFSET = 8 * 512;
    static final long VIRTIO_PATTERN_OFFSET = 16 * 4096;

    /** Runs in L2. $run comes from the kernel command line (jvmm.run=N). */
    private static final String GUEST_SCRIPT = """
            run=$(sed -n 's/.*jvmm\\.run=\\([0-9]*\\).*/\\1/p' /proc/cmdline)
            bdf=""
            for d in /sys/bus/pci/devices/*; do
              echo "RESULT pci=$(basename $d) $(cat $d/vendor) $(cat $d/device) $(cat $d/class)"
              [ "$(cat $d/vendor)" = 0x1b36 ] && bdf=$(basename $d)
            done
            [ -b /dev/nvme0n1 ] && echo "RESULT nvme_bytes=$(( $(cat /sys/block/nvme0n1/size) * 512 ))"
            echo "RESULT marker=$(dd if=/dev/nvme0n1 bs=4096 skip=256 count=1 2>/dev/null | head -c 23)"
            echo "RESULT msi_modes=$(cat /sys/bus/pci/devices/$bdf/msi_irqs/* 2>/dev/null | sort -u | tr '\\n' ' ')"
            grep nvme /proc/interrupts | sed 's/^/RESULT irq_before=/'
            dd if=/dev/nvme0n1 of=/dev/null bs=1M count=32 iflag=direct 2>/dev/null
            yes "JVMM-VFIO-PATTERN-RUN-$run" | head -c 4096 > /tmp/pattern
            dd if=/tmp/pattern of=/dev/nvme0n1 bs=4096 seek=$((1024 + run)) count=1 oflag=direct conv=fsync 2>/dev/null
            echo "RESULT write_status=$?"
            grep nvme /proc/interrupts | sed 's/^/RESULT irq_after=/'
            for r in 1 2 3; do
              echo "RESULT block$r=$(dd if=/dev/nvme0n1 bs=4096 skip=$((1024 + r)) count=1 iflag=direct 2>/dev/null | head -c 23)"
            done
            if [ -b /dev/vda ]; then
              echo "RESULT vda_marker=$(dd if=/dev/vda bs=512 skip=8 count=1 2>/dev/null | head -c 23)"
              yes "JVMM-VIRTIO-PATTERN-RUN-$run" | head -c 4096 > /tmp/vpattern
              dd if=/tmp/vpattern of=/dev/vda bs=4096 seek=16 count=1 conv=fsync 2>/dev/null
              echo "RESULT vda_write_status=$?"
            fi
            """;

    private static Path image;
    private static GuestScenario first;
    private static GuestScenario second;
    private static GuestScenario intx;
    private static GuestScenario withVirtio;
    private static Path virtioImage;
    private static NestedHost.Result l1;

    @BeforeAll
    static void runInL1() throws IOException, InterruptedException {
        Path repo = NestedHost.repo();
        Path work = Files.createDirectories(NestedHost.workDir("vfio"));
        image = work.resolve("nvme.img");
        Files.deleteIfExists(image);
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(IMAGE_SIZE);
            f.seek(MARKER_OFFSET);
            f.write(MARKER.getBytes(StandardCharsets.US_ASCII));
        }
        Path assets = NestedHost.guestAssets(NestedHost.workDir("guest"));
        Path initrd = NestedHost.initrdWithScript(assets, work.resolve("initrd-vfio.cpio.gz"), GUEST_SCRIPT);
        first = scenario(work, "run1", assets, initrd, BASE_CMDLINE + " jvmm.run=1");
        second = scenario(work, "run2", assets, initrd, BASE_CMDLINE + " jvmm.run=2");
        intx = scenario(work, "run3-intx", assets, initrd, BASE_CMDLINE + " jvmm.run=3 pci=nomsi");
        virtioImage = work.resolve("virtio.img");
        Files.deleteIfExists(virtioImage);
        try (RandomAccessFile f = new RandomAccessFile(virtioImage.toFile(), "rw")) {
            f.setLength(8L << 20);
            f.seek(VIRTIO_MARKER_OFFSET);
            f.write(VIRTIO_MARKER.getBytes(StandardCharsets.US_ASCII));
        }
        withVirtio = scenario(work, "run4-virtio", assets, initrd, BASE_CMDLINE + " jvmm.run=4 jvmm.mods=1", """

                [[device]]
                type = "virtio-blk"
                id = "vd0"
                path = "%s"
                """.formatted(virtioImage));

        StringBuilder driver = new StringBuilder("#!/bin/sh\n").append(bindNvmeToVfio());
        for (GuestScenario s : List.of(first, second, intx, withVirtio)) {
            driver.append("sed -i \"s/@HOST@/$bdf/\" '").append(s.dir().resolve("vm.toml")).append("'\n");
            driver.append(s.driverLines(repo, 300));
        }
        Path script = work.resolve("driver.sh");
        Files.writeString(script, driver.toString());
        l1 = NestedHost.runInL1(work, 900, image, List.of("sh", script.toString()));
    }

    /** Shell lines for L1: find the NVMe (1b36:0010), hand it to vfio-pci, leave its address in $bdf. */
    static String bindNvmeToVfio() {
        return """
                bdf=""
                for d in /sys/bus/pci/devices/*; do
                  [ "$(cat $d/vendor)" = 0x1b36 ] && [ "$(cat $d/device)" = 0x0010 ] && bdf=$(basename $d)
                done
                echo "L1: NVMe at ${bdf:-nowhere}"
                echo vfio-pci > /sys/bus/pci/devices/$bdf/driver_override
                echo $bdf > /sys/bus/pci/drivers_probe
                ls -l /dev/vfio
                """;
    }

    static GuestScenario scenario(Path work, String name, Path assets, Path initrd, String cmdline) throws IOException {
        return scenario(work, name, assets, initrd, cmdline, "");
    }

    static GuestScenario scenario(Path work, String name, Path assets, Path initrd, String cmdline, String moreDevices)
            throws IOException {
        GuestScenario s = GuestScenario.create(work, name, assets.resolve("vmlinuz"), initrd, "512M", 2, cmdline);
        for (String f : List.of("exit", "jvmm.out", "serial.log")) {
            Files.deleteIfExists(s.dir().resolve(f));
        }
        String config = s.config() + """

                [[device]]
                type = "vfio"
                host = "@HOST@"
                """ + moreDevices;
        Files.writeString(s.dir().resolve("vm.toml"), config);
        return new GuestScenario(name, s.dir(), config);
    }

    private static String describe(GuestScenario s) throws IOException {
        return s.describe() + "\n--- L1 ---\n" + l1.output();
    }

    @Test
    void guestFindsTheControllerAndANamespaceOfTheImagesSize() throws IOException {
        for (GuestScenario s : List.of(first, second, intx)) {
            Map<String, String> r = s.results();
            assertThat(s.exitCode()).as(describe(s)).isZero();
            assertThat(r.get("pci")).as(describe(s)).contains("0x1b36 0x0010 0x010802");
            assertThat(r.get("nvme_bytes")).as(describe(s)).isEqualTo(Long.toString(IMAGE_SIZE));
        }
    }

    @Test
    void guestReadsTheMarkerTheTestWrote() throws IOException {
        for (GuestScenario s : List.of(first, second, intx)) {
            assertThat(s.results().get("marker")).as(describe(s)).isEqualTo(MARKER);
        }
    }

    @Test
    void whatTheGuestWroteIsInTheImageAfterTheVmExits() throws IOException {
        for (int run = 1; run <= 3; run++) {
            byte[] block = new byte[4096];
            try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "r")) {
                f.seek(PATTERN_BASE + run * 4096L);
                f.readFully(block);
            }
            byte[] expected = new byte[4096];
            byte[] line = ("JVMM-VFIO-PATTERN-RUN-" + run + "\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < expected.length; i++) {
                expected[i] = line[i % line.length];
            }
            assertThat(Arrays.equals(block, expected)).as("block of run %d: %s%n%s", run,
                    new String(block, 0, 64, StandardCharsets.US_ASCII), describe(first)).isTrue();
        }
    }

    @Test
    void msixVectorsCountInterruptsDuringIo() throws IOException {
        Map<String, String> r = first.results();
        assertThat(r.get("msi_modes")).as(describe(first)).isEqualTo("msix");
        long before = ioQueueInterrupts(r.get("irq_before"));
        long after = ioQueueInterrupts(r.get("irq_after"));
        assertThat(r.get("irq_after")).as(describe(first)).contains("PCI-MSI").contains("nvme0q1");
        assertThat(after).as("I/O-queue interrupts before %d, after %d:%n%s", before, after, describe(first))
                .isGreaterThan(before);
    }

    @Test
    void runningTheSameVmAgainWorksAndSeesTheFirstRunsWrite() throws IOException {
        Map<String, String> r = second.results();
        assertThat(second.exitCode()).as(describe(second)).isZero();
        assertThat(r.get("block1")).as(describe(second)).isEqualTo("JVMM-VFIO-PATTERN-RUN-1");
        assertThat(r.get("block2")).as(describe(second)).isEqualTo("JVMM-VFIO-PATTERN-RUN-2");
        assertThat(ioQueueInterrupts(r.get("irq_after"))).as(describe(second))
                .isGreaterThan(ioQueueInterrupts(r.get("irq_before")));
    }

    @Test
    void withMsiOffInTheGuestTheControllerWorksThroughIntx() throws IOException {
        Map<String, String> r = intx.results();
        assertThat(intx.exitCode()).as(describe(intx)).isZero();
        assertThat(r.get("msi_modes")).as(describe(intx)).isEmpty();
        assertThat(r.get("irq_after")).as(describe(intx)).contains("IO-APIC");
        assertThat(allInterrupts(r.get("irq_after"))).as(describe(intx))
                .isGreaterThan(allInterrupts(r.get("irq_before")));
        assertThat(r.get("block3")).as(describe(intx)).isEqualTo("JVMM-VFIO-PATTERN-RUN-3");
    }

    @Test
    void aVirtioDiskBesideThePassedThroughNvmeWorksToo() throws IOException {
        Map<String, String> r = withVirtio.results();
        assertThat(withVirtio.exitCode()).as(describe(withVirtio)).isZero();
        assertThat(r.get("marker")).as(describe(withVirtio)).isEqualTo(MARKER);
        assertThat(r.get("write_status")).as(describe(withVirtio)).isEqualTo("0");
        assertThat(r.get("vda_marker")).as(describe(withVirtio)).isEqualTo(VIRTIO_MARKER);
        assertThat(r.get("vda_write_status")).as(describe(withVirtio)).isEqualTo("0");
        assertThat(Arrays.equals(readBlock(image, PATTERN_BASE + 4 * 4096L), pattern("JVMM-VFIO-PATTERN-RUN-4")))
                .as("NVMe block of run 4%n%s", describe(withVirtio)).isTrue();
        assertThat(Arrays.equals(readBlock(virtioImage, VIRTIO_PATTERN_OFFSET), pattern("JVMM-VIRTIO-PATTERN-RUN-4")))
                .as("virtio disk block of run 4%n%s", describe(withVirtio)).isTrue();
    }

    private static byte[] readBlock(Path file, long offset) throws IOException {
        byte[] block = new byte[4096];
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            f.seek(offset);
            f.readFully(block);
        }
        return block;
    }

    /** 4 KiB of what {@code yes LINE | head -c 4096} writes. */
    private static byte[] pattern(String line) {
        byte[] expected = new byte[4096];
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < expected.length; i++) {
            expected[i] = bytes[i % bytes.length];
        }
        return expected;
    }

    /** Sums the per-CPU counts of /proc/interrupts lines naming an nvme I/O queue (nvme0q1, ...). */
    static long ioQueueInterrupts(String lines) {
        return sum(lines, true);
    }

    static long allInterrupts(String lines) {
        return sum(lines, false);
    }

    private static long sum(String lines, boolean ioQueuesOnly) {
        if (lines == null) {
            return -1;
        }
        long total = 0;
        for (String line : lines.split("\n")) {
            if (ioQueuesOnly && !line.matches(".*nvme\\d+q[1-9]\\d*.*")) {
                continue;
            }
            String[] fields = line.strip().split("\\s+");
            for (int i = 1; i < fields.length && fields[i].matches("\\d+"); i++) {
                total += Long.parseLong(fields[i]);
            }
        }
        return total;
    }
}
