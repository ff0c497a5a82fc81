package io.jvmm.cli;

import static io.jvmm.cli.JvmmCommandTest.jvmm;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.config.ConfigLoader;
import io.jvmm.config.VmConfig;
import io.jvmm.snapshot.HostFiles;
import io.jvmm.snapshot.SnapshotConfig;
import io.jvmm.snapshot.TestSnapshots;
import io.jvmm.vm.HostFileCheck;
import io.jvmm.vm.HostResource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jvmm restore --dry-run} and the check that the host files a snapshot's config names
 * are still the ones the snapshot recorded, on snapshot directories made by the real writer.
 * None of it needs /dev/kvm: a refusal is exit code 4, before the host is even looked at.
 */
class RestoreCommandTest {
    @TempDir
    Path tmp;
    Path vmDir;
    Path configFile;
    Path snap;

    private static final String CONFIG = """
            [vm]
            memory = "64M"
            vcpus = 2

            [boot]
            kernel = "vmlinuz"
            initramfs = "initrd.img"

            [serial]
            mode = "file"
            path = "serial.log"

            [[device]]
            type = "virtio-blk"
            id = "vda"
            path = "disk.img"
            readonly = true

            [[device]]
            type = "virtio-net"
            id = "net0"
            tap = "tap0"

            [[device]]
            type = "virtio-console"
            id = "con0"
            output = "socket"
            path = "con.sock"

            [[device]]
            type = "virtio-rng"
            """;

    @BeforeEach
    void files() throws Exception {
        vmDir = Files.createDirectory(tmp.resolve("vm"));
        Files.writeString(vmDir.resolve("vmlinuz"), "kernel");
        Files.writeString(vmDir.resolve("initrd.img"), "initrd");
        Files.write(vmDir.resolve("disk.img"), new byte[4096]);
        configFile = Files.writeString(vmDir.resolve("vm.toml"), CONFIG);
        snap = tmp.resolve("snap");
    }

    /** A snapshot as a VM of {@code configFile} writes it, recording the host files as they are now. */
    private void snapshot(String storedSourcePath) throws Exception {
        SnapshotConfig saved = new SnapshotConfig(configFile.toString(), CONFIG, 64 << 20, 2);
        HostFiles recorded = HostFileCheck.record(saved);
        TestSnapshots.write(snap, new SnapshotConfig(storedSourcePath, CONFIG, 64 << 20, 2), recorded);
    }

    private void snapshot() throws Exception {
        snapshot(configFile.toString());
    }

    private void replaceDisk() throws Exception {
        Path fresh = Files.write(vmDir.resolve("disk.new"), new byte[4096]);
        Files.move(fresh, vmDir.resolve("disk.img"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void dryRunListsWhatRestoreWouldOpenWithoutKvmAndExitsZero() throws Exception {
        snapshot();
        JvmmCommandTest.Result r = jvmm("restore", "--dry-run", snap.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        Path v = vmDir;
        assertThat(r.out()).contains(
                "snapshot:   " + snap + " (complete, format 1",
                "config:     " + configFile,
                "memory:     64 MiB, ",
                "; 2 vCPUs",
                "serial:     file " + v.resolve("serial.log") + " (truncated)",
                "boot.kernel (boot): kernel " + v.resolve("vmlinuz") + " (not read: guest memory holds it) [same file]",
                "boot.initramfs (boot): initramfs " + v.resolve("initrd.img"),
                "device[1].path (virtio-blk 'vda'): disk image " + v.resolve("disk.img") + ", read-only [same file]",
                "device[2].tap (virtio-net 'net0'): tap tap0",
                "device[3].path (virtio-console 'con0'): console socket " + v.resolve("con.sock") + " [same path]",
                "device[4].source (virtio-rng 'virtio-rng0'): entropy source /dev/urandom [same file]",
                "restore would proceed; nothing was opened (--dry-run)");
        assertThat(r.err()).doesNotContain("jvmm: cannot");
        assertThat(Files.exists(vmDir.resolve("serial.log"))).as("nothing opened").isFalse();
    }

    @Test
    void aReplacedDiskImageIsRefusedNamingTheDeviceTheKeyAndBothFiles() throws Exception {
        snapshot();
        long before = (Long) Files.getAttribute(vmDir.resolve("disk.img"), "unix:ino");
        replaceDisk();
        long after = (Long) Files.getAttribute(vmDir.resolve("disk.img"), "unix:ino");
        Path disk = vmDir.resolve("disk.img").toRealPath();
        String problem = "device[1].path (virtio-blk 'vda'): recorded " + disk + " (inode " + before + "), now " + disk
                + " (inode " + after + "): the file was replaced; nothing was started (--allow-changed-paths restores "
                + "anyway)";
        for (String[] args : new String[][] {{"restore", snap.toString()}, {"restore", "--dry-run", snap.toString()}}) {
            JvmmCommandTest.Result r = jvmm(args);
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.BAD_SNAPSHOT);
            assertThat(r.err().strip()).isEqualTo("jvmm: cannot restore: snapshot " + snap + ": " + problem);
        }
        assertThat(jvmm("restore", "--dry-run", snap.toString()).out())
                .contains("disk image " + vmDir.resolve("disk.img") + ", read-only [CHANGED]: recorded ")
                .doesNotContain("restore would proceed");
    }

    @Test
    void allowChangedPathsLetsTheRestoreGoOnAndWarnsNamingTheFile() throws Exception {
        snapshot();
        replaceDisk();
        JvmmCommandTest.Result r = jvmm("restore", "--dry-run", "--allow-changed-paths", snap.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.err()).contains("jvmm: warning: restoring although device[1].path (virtio-blk 'vda'): recorded ")
                .contains("the file was replaced (--allow-changed-paths)");
        assertThat(r.out()).contains("restore would proceed");
    }

    @Test
    void aSymlinkPointedAtAnotherFileIsRefused() throws Exception {
        Files.move(vmDir.resolve("disk.img"), vmDir.resolve("disk-a.img"));
        Files.write(vmDir.resolve("disk-b.img"), new byte[4096]);
        Files.createSymbolicLink(vmDir.resolve("disk.img"), Path.of("disk-a.img"));
        snapshot();
        Files.delete(vmDir.resolve("disk.img"));
        Files.createSymbolicLink(vmDir.resolve("disk.img"), Path.of("disk-b.img"));
        JvmmCommandTest.Result r = jvmm("restore", snap.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.BAD_SNAPSHOT);
        Path real = vmDir.toRealPath();
        assertThat(r.err()).contains("device[1].path (virtio-blk 'vda'): recorded " + vmDir.resolve("disk.img")
                + " -> " + real.resolve("disk-a.img") + ", now -> " + real.resolve("disk-b.img")
                + ": the path leads to another file");
    }

    @Test
    void aRelativeConfigPathThatResolvesElsewhereAtRestoreIsRefused() throws Exception {
        // The config path stored as typed in another directory (by an older jvmm): restore, run
        // here, reads the config's relative paths against a directory that holds other files.
        Path elsewhere = Path.of("target", "restore-test-elsewhere");
        snapshot(elsewhere.resolve("vm.toml").toString());
        Files.createDirectories(elsewhere);
        Files.writeString(elsewhere.resolve("vmlinuz"), "another kernel");
        Files.writeString(elsewhere.resolve("initrd.img"), "another initrd");
        JvmmCommandTest.Result r = jvmm("restore", snap.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.BAD_SNAPSHOT);
        // serial.path first; the disk and the console socket are the 2 more.
        assertThat(r.err()).contains("serial.path (serial): recorded " + vmDir.resolve("serial.log") + ", now "
                + elsewhere.resolve("serial.log").toAbsolutePath() + ": the path resolves elsewhere")
                .contains("(and 2 more: jvmm restore --dry-run lists them)");
    }

    @Test
    void aSerialFileGivenOnTheCommandLineIsNotComparedWithTheSnapshots() throws Exception {
        snapshot();
        Files.move(configFile, tmp.resolve("moved.toml"));
        JvmmCommandTest.Result r = jvmm("restore", "--dry-run", "--serial-file", tmp.resolve("after.log").toString(),
                snap.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("serial:     file " + tmp.resolve("after.log"),
                "serial.path (serial): serial output file " + vmDir.resolve("serial.log")
                        + " (not opened: --serial/--serial-file)");
    }

    @Test
    void aDiskTheGuestWroteToIsTheSameFileAndRestores() throws Exception {
        snapshot();
        Files.write(vmDir.resolve("disk.img"), new byte[] {1}, java.nio.file.StandardOpenOption.WRITE);
        Files.setLastModifiedTime(vmDir.resolve("disk.img"), FileTime.fromMillis(System.currentTimeMillis() + 5000));
        JvmmCommandTest.Result r = jvmm("restore", "--dry-run", snap.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("[same file, modified since the snapshot]");
    }

    @Test
    void theSameFileSeenUnderAnotherFileSystemDeviceNumberIsTheSameFile() {
        HostFiles.Identity then = new HostFiles.Identity("/vm/disk.img", 2049, 77, 0, false, 4096, 1);
        // A file system mounted again (after a reboot, say) can get another st_dev.
        assertThat(then.sameFile(new HostFiles.Identity("/vm/disk.img", 48, 77, 0, false, 4096, 1))).isTrue();
        assertThat(then.sameFile(new HostFiles.Identity("/vm/disk.img", 2049, 78, 0, false, 4096, 1))).isFalse();
    }

    @Test
    void aSnapshotWithoutRecordedHostFilesSaysSoAndIsNotCompared() throws Exception {
        TestSnapshots.write(snap, new SnapshotConfig(configFile.toString(), CONFIG, 64 << 20, 2));
        replaceDisk();
        JvmmCommandTest.Result r = jvmm("restore", "--dry-run", snap.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("host files: none recorded", "[not recorded]");
    }

    @Test
    void theRecordNamesEveryFileTheConfigNames() throws Exception {
        VmConfig config = ConfigLoader.load(configFile);
        assertThat(HostResource.of(config)).extracting(HostResource::key).containsExactly("boot.kernel",
                "boot.initramfs", "serial.path", "device[1].path", "device[2].tap", "device[3].path",
                "device[4].source");
    }
}
