package io.jvmm.vfio;

import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceConfigException;
import io.jvmm.spi.DeviceContext;
import io.jvmm.spi.DeviceException;
import io.jvmm.testkit.DeviceConfigs;
import io.jvmm.vfio.kernel.VfioHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VfioDeviceFactoryTest {
    @TempDir
    Path root;

    /** The table as jvmm's config reader hands it to the factory. */
    private DeviceConfig config(Map<String, String> values) {
        return DeviceConfigs.of("vfio", "vfio0", root, values);
    }

    /** A context that fails the test if the factory reaches for the VM. */
    private static DeviceContext noVm() {
        return (DeviceContext) Proxy.newProxyInstance(DeviceContext.class.getClassLoader(),
                new Class<?>[] {DeviceContext.class}, (p, m, a) -> {
                    throw new AssertionError("the factory should have failed before using the VM: " + m.getName());
                });
    }

    @Test
    void typeIsVfio() {
        assertThat(new VfioDeviceFactory().type()).isEqualTo("vfio");
    }

    @Test
    void hostIsRequired() {
        assertThatThrownBy(() -> new VfioDeviceFactory().create(config(Map.of()), noVm()))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("'host'");
    }

    @Test
    void aHostThatIsNoPciAddressIsAConfigError() {
        assertThatThrownBy(() -> new VfioDeviceFactory().create(config(Map.of("host", "nvme0")), noVm()))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("expected a PCI address");
    }

    @Test
    void hostProblemsAreReportedBeforeTheVmIsNeeded() {
        VfioDeviceFactory factory = new VfioDeviceFactory(new VfioHost(root.resolve("sys"), root.resolve("dev")));
        assertThatThrownBy(() -> factory.create(config(Map.of("host", "00:04.0")), noVm()))
                .isInstanceOf(DeviceException.class).hasMessageContaining("no PCI device 0000:00:04.0");
    }
}
