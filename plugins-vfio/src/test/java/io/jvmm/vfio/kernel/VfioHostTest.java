package io.jvmm.vfio.kernel;

import io.jvmm.vfio.backend.BackendException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The messages users get when a device cannot be passed through, against a fake sysfs and /dev. */
class VfioHostTest {
    @TempDir
    Path root;
    private Path sysfs;
    private Path dev;
    private VfioHost host;

    @BeforeEach
    void tree() throws IOException {
        sysfs = Files.createDirectories(root.resolve("sys"));
        dev = Files.createDirectories(root.resolve("dev"));
        Files.createDirectories(sysfs.resolve("bus/pci/drivers/vfio-pci"));
        Files.createDirectories(sysfs.resolve("bus/pci/drivers/nvme"));
        Files.createDirectories(sysfs.resolve("bus/pci/drivers/i801_smbus"));
        host = new VfioHost(sysfs, dev);
    }

    private void device(String address, String driver, Integer group) throws IOException {
        Path d = Files.createDirectories(sysfs.resolve("bus/pci/devices").resolve(address));
        if (driver != null) {
            Files.createSymbolicLink(d.resolve("driver"), sysfs.resolve("bus/pci/drivers").resolve(driver));
        }
        if (group != null) {
            Path g = Files.createDirectories(sysfs.resolve("kernel/iommu_groups").resolve(group.toString()).resolve("devices"));
            Files.createSymbolicLink(d.resolve("iommu_group"), g.getParent());
            Files.createSymbolicLink(g.resolve(address), d);
        }
    }

    private void vfioNodes(int group) throws IOException {
        Files.createDirectories(dev.resolve("vfio"));
        Files.createFile(dev.resolve("vfio/vfio"));
        Files.createFile(dev.resolve("vfio").resolve(Integer.toString(group)));
    }

    @Test
    void hostValueMayBeAFullOrShortAddressOrASysfsPath() {
        assertThat(VfioHost.parseAddress("0000:00:04.0")).contains("0000:00:04.0");
        assertThat(VfioHost.parseAddress("00:1F.3")).contains("0000:00:1f.3");
        assertThat(VfioHost.parseAddress("/sys/bus/pci/devices/0000:65:00.1")).contains("0000:65:00.1");
        assertThat(VfioHost.parseAddress("/sys/bus/pci/devices/0000:65:00.1/")).contains("0000:65:00.1");
        assertThat(VfioHost.parseAddress("nvme0")).isEmpty();
        assertThat(VfioHost.parseAddress("0000:00:04.8")).isEmpty();
    }

    @Test
    void noSuchDevice() {
        assertThatThrownBy(() -> host.locate("0000:00:1e.0")).isInstanceOf(BackendException.class)
                .hasMessageContaining("no PCI device 0000:00:1e.0 on this host").hasMessageContaining("lspci -D");
    }

    @Test
    void boundToAnotherDriverShowsItAndHowToRebind() throws IOException {
        device("0000:00:04.0", "nvme", 3);
        assertThatThrownBy(() -> host.locate("0000:00:04.0"))
                .hasMessageContaining("0000:00:04.0 is bound to nvme, not vfio-pci")
                .hasMessageContaining("0000:00:04.0/driver/unbind")
                .hasMessageContaining("echo vfio-pci > " + sysfs.resolve("bus/pci/devices/0000:00:04.0/driver_override"))
                .hasMessageContaining("drivers_probe");
    }

    @Test
    void boundToNoDriver() throws IOException {
        device("0000:00:04.0", null, 3);
        assertThatThrownBy(() -> host.locate("0000:00:04.0"))
                .hasMessageContaining("is not bound to vfio-pci (it has no driver)")
                .hasMessageNotContaining("unbind");
    }

    @Test
    void vfioDeviceFilesMissing() throws IOException {
        device("0000:00:04.0", "vfio-pci", 3);
        assertThatThrownBy(() -> host.locate("0000:00:04.0"))
                .hasMessageContaining(dev.resolve("vfio/vfio") + " does not exist");
        Files.createDirectories(dev.resolve("vfio"));
        Files.createFile(dev.resolve("vfio/vfio"));
        assertThatThrownBy(() -> host.locate("0000:00:04.0"))
                .hasMessageContaining(dev.resolve("vfio/3") + " does not exist");
    }

    @Test
    void noIommuGroupMeansNoIommu() throws IOException {
        device("0000:00:04.0", "vfio-pci", null);
        Files.createDirectories(dev.resolve("vfio"));
        Files.createFile(dev.resolve("vfio/vfio"));
        assertThatThrownBy(() -> host.locate("0000:00:04.0")).hasMessageContaining("has no IOMMU group")
                .hasMessageContaining("intel_iommu=on");
    }

    @Test
    void locatesTheGroupOfAReadyDevice() throws IOException {
        device("0000:00:04.0", "vfio-pci", 3);
        vfioNodes(3);
        assertThat(host.locate("0000:00:04.0")).isEqualTo(new VfioHost.Located("0000:00:04.0", 3,
                dev.resolve("vfio/vfio"), dev.resolve("vfio/3")));
    }

    @Test
    void notViableListsTheOtherDevicesOfTheGroupAndTheirDrivers() throws IOException {
        device("0000:00:1f.2", "vfio-pci", 7);
        device("0000:00:1f.3", "i801_smbus", 7);
        device("0000:00:1f.0", null, 7);
        vfioNodes(7);
        String message = host.notViableMessage(host.locate("0000:00:1f.2"));
        assertThat(message).contains("IOMMU group 7 of 0000:00:1f.2 is not viable")
                .contains("0000:00:1f.3 (bound to i801_smbus) is not")
                .contains("0000:00:1f.0 (no driver)")
                .doesNotContain("0000:00:1f.2 (");
    }
}
