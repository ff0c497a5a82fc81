package io.jvmm.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class HostCheckTest {
    @Test
    void missingDeviceSaysThereIsNoKvm(@TempDir Path dir) {
        HostCheck check = new HostCheck(dir.resolve("kvm").toString(), dir);
        assertThat(check.problem()).hasValueSatisfying(p -> assertThat(p).startsWith("no ").contains("no KVM")
                .contains("nested-run"));
    }

    @Test
    void pvmModuleIsReportedAsAHostThatCannotBootStockKernels(@TempDir Path dir) throws IOException {
        Path device = Files.createFile(dir.resolve("kvm"));
        Files.createDirectories(dir.resolve("sys/module/kvm_pvm"));
        HostCheck check = new HostCheck(device.toString(), dir.resolve("sys"));
        assertThat(check.problem()).hasValueSatisfying(p -> assertThat(p).contains("PVM").contains("nested test host"));
    }

    @Test
    void aFileThatIsNotKvmIsReportedWithTheFailingCall(@TempDir Path dir) throws IOException {
        Path device = Files.createFile(dir.resolve("kvm"));
        HostCheck check = new HostCheck(device.toString(), dir);
        assertThat(check.problem()).hasValueSatisfying(p -> assertThat(p).contains("KVM_GET_API_VERSION"));
    }
}
