package io.jvmm.host;

import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmException;
import io.jvmm.kvm.LibC;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every answer of the host check, each on a fake /dev and /sys tree (and a fake device probe
 * where the real one would need a KVM of that kind), so none depends on the build machine.
 */
class HostCheckTest {
    @TempDir
    Path dir;

    private Path sysfs(boolean pvm) throws IOException {
        Path sys = Files.createDirectories(dir.resolve("sys/module/kvm"));
        if (pvm) {
            Files.createDirectories(dir.resolve("sys/module/kvm_pvm"));
        }
        return sys.getParent().getParent();
    }

    private Path device() throws IOException {
        return Files.createFile(dir.resolve("kvm"));
    }

    private static HostCheck.DeviceProbe failingWith(int errno) {
        return path -> {
            throw new KvmException("open(" + path + ")", errno);
        };
    }

    @Test
    void missingDeviceSaysThereIsNoKvmAndWhatToDo() throws IOException {
        HostCheck check = new HostCheck(dir.resolve("kvm").toString(), sysfs(false));
        assertThat(check.problem()).hasValueSatisfying(p -> assertThat(p).startsWith("no ").contains("no KVM")
                .contains("nested-run"));
    }

    @Test
    void pvmModuleWithoutDeviceSaysPvmAndPointsAtTheNestedHost() throws IOException {
        HostCheck check = new HostCheck(dir.resolve("kvm").toString(), sysfs(true),
                path -> {
                    throw new AssertionError("nothing to open");
                });
        assertThat(check.problem()).hasValueSatisfying(p -> assertThat(p).startsWith("no " + dir.resolve("kvm"))
                .contains("kvm_pvm").contains("nested test host").contains("scripts/nested-run"));
    }

    @Test
    void pvmModuleWithDeviceIsReportedAsAHostThatCannotBootStockKernels() throws IOException {
        HostCheck check = new HostCheck(device().toString(), sysfs(true), path -> Kvm.API_VERSION);
        assertThat(check.problem()).hasValueSatisfying(p -> assertThat(p).contains("PVM").contains("nested test host"));
    }

    @Test
    void deviceWithoutPermissionSaysWhichGroupToJoin() throws IOException {
        HostCheck check = new HostCheck(device().toString(), sysfs(false), failingWith(LibC.EACCES));
        assertThat(check.problem()).hasValueSatisfying(p -> assertThat(p).startsWith("permission denied opening")
                .contains("'kvm'"));
    }

    @Test
    void workingKvmHasNoProblem() throws IOException {
        HostCheck check = new HostCheck(device().toString(), sysfs(false), path -> Kvm.API_VERSION);
        assertThat(check.problem()).isEmpty();
    }

    @Test
    void anotherApiVersionIsRefused() throws IOException {
        HostCheck check = new HostCheck(device().toString(), sysfs(false), path -> 11);
        assertThat(check.problem()).hasValueSatisfying(p -> assertThat(p).contains("KVM API 11").contains("12"));
    }

    @Test
    void aFileThatIsNotKvmIsReportedWithTheFailingCall() throws IOException {
        // The real probe on a plain file: open works, the ioctl fails (ENOTTY).
        HostCheck check = new HostCheck(device().toString(), sysfs(false));
        assertThat(check.problem()).hasValueSatisfying(p -> assertThat(p).contains("KVM_GET_API_VERSION"));
    }
}
