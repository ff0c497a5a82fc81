package io.jvmm.cli;

import io.jvmm.boot.SyntheticBzImage;
import io.jvmm.host.HostCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.jvmm.cli.JvmmCommandTest.jvmm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 2, section 6.5: every bad input to {@code jvmm run} ends with one clear line on stderr
 * and a non-zero exit, and nothing runs.
 */
class RunBadInputTest {
    @TempDir
    Path tmp;

    @AfterEach
    void clearHostOverrides() {
        System.clearProperty(HostCheck.DEVICE_PROPERTY);
        System.clearProperty(HostCheck.SYSFS_PROPERTY);
    }

    private Path config(String vmTable, String extra) throws IOException {
        Files.write(tmp.resolve("bzImage"), new SyntheticBzImage().build());
        Path file = tmp.resolve("vm.toml");
        Files.writeString(file, vmTable + "\n[boot]\nkernel = \"bzImage\"\n" + extra);
        return file;
    }

    private static void assertOneLine(JvmmCommandTest.Result r, int code, String... fragments) {
        assertThat(r.code()).as(r.err()).isEqualTo(code);
        assertThat(r.err().strip()).as("exactly one line").doesNotContain("\n");
        assertThat(r.err()).contains(fragments).doesNotContain("Exception", "\tat ");
    }

    @Test
    void missingKernel() throws IOException {
        Path file = tmp.resolve("vm.toml");
        Files.writeString(file, "[boot]\nkernel = \"nope/vmlinuz\"\n");
        assertOneLine(jvmm("run", file.toString()), 2, "vm.toml:2: boot.kernel", "file not found");
    }

    @Test
    void kernelThatIsNotAKernel() throws IOException {
        Path file = config("[vm]", "");
        Files.writeString(tmp.resolve("bzImage"), "#!/bin/sh\necho I am a script\n");
        assertOneLine(jvmm("run", file.toString()), 2, "vm.toml:3: boot.kernel", "is not a Linux kernel image");
    }

    @Test
    void badTomlSyntax() throws IOException {
        Path file = config("[vm\nmemory = \"512M\"", "");
        assertOneLine(jvmm("run", file.toString()), 2, "vm.toml:1");
    }

    @Test
    void memoryThatIsNotASize() throws IOException {
        Path file = config("[vm]\nmemory = \"abc\"", "");
        assertOneLine(jvmm("run", file.toString()), 2, "vm.toml:2: vm.memory = \"abc\"", "expected a size");
    }

    @Test
    void zeroVcpus() throws IOException {
        Path file = config("[vm]\nvcpus = 0", "");
        assertOneLine(jvmm("run", file.toString()), 2, "vm.toml:2: vm.vcpus = 0", "expected an integer from 1 to 254");
    }

    @Test
    void unknownDeviceType() throws IOException {
        Path file = config("[vm]", "[[device]]\ntype = \"virtio-floppy\"\n");
        assertOneLine(jvmm("run", file.toString()), 2, "virtio-floppy");
    }

    @Test
    void unknownKey() throws IOException {
        Path file = config("[vm]\nmemroy = \"1G\"", "");
        assertOneLine(jvmm("run", file.toString()), 2, "vm.toml:2", "memroy");
    }

    /** Points the host check at a fake /dev and /sys under tmp, whatever this machine has. */
    private void fakeHost(boolean pvmModule, boolean device) throws IOException {
        Files.createDirectories(tmp.resolve("sys/module/kvm"));
        if (pvmModule) {
            Files.createDirectories(tmp.resolve("sys/module/kvm_pvm"));
        }
        if (device) {
            Files.createFile(tmp.resolve("kvm"));
        }
        System.setProperty(HostCheck.SYSFS_PROPERTY, tmp.resolve("sys").toString());
        System.setProperty(HostCheck.DEVICE_PROPERTY, tmp.resolve("kvm").toString());
    }

    @Test
    void pvmHostIsRefusedWithWhatToDoInstead() throws IOException {
        Path file = config("[vm]", "");
        fakeHost(true, true);
        assertOneLine(jvmm("run", file.toString()), 3, "PVM", "nested test host");
    }

    @Test
    void pvmModuleWithoutDeviceIsRefusedWithWhatToDoInstead() throws IOException {
        Path file = config("[vm]", "");
        fakeHost(true, false);
        assertOneLine(jvmm("run", file.toString()), 3, "no " + tmp.resolve("kvm"), "kvm_pvm", "nested test host",
                "scripts/nested-run");
    }

    @Test
    void hostWithoutKvm() throws IOException {
        Path file = config("[vm]", "");
        fakeHost(false, false);
        assertOneLine(jvmm("run", file.toString()), 3, "no " + tmp.resolve("kvm"), "no KVM");
    }
}
