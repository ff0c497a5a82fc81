package io.jvmm.vfio.kernel;

import io.jvmm.vfio.backend.BackendException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds a PCI function and its VFIO group on the host through sysfs and /dev, and says
 * plainly what is wrong when it cannot be passed through (no such device, wrong driver, no
 * IOMMU, VFIO missing, group not viable). The roots are parameters so tests can use a fake
 * tree.
 */
public final class VfioHost {
    /** A PCI address with domain: {@code 0000:00:04.0} (Documentation/ABI/testing/sysfs-bus-pci). */
    private static final Pattern ADDRESS = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]");
    private static final Pattern SHORT_ADDRESS = Pattern.compile("[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]");
    public static final String VFIO_DRIVER = "vfio-pci";

    /** Where a passthrough-ready device's VFIO files are. */
    public record Located(String address, int group, Path containerFile, Path groupFile) {
    }

    private final Path sysfs;
    private final Path dev;

    public VfioHost(Path sysfs, Path dev) {
        this.sysfs = sysfs;
        this.dev = dev;
    }

    public static VfioHost system() {
        return new VfioHost(Path.of("/sys"), Path.of("/dev"));
    }

    /**
     * Turns the config's {@code host} value into a full PCI address: {@code 0000:00:04.0},
     * {@code 00:04.0} (domain 0) or a sysfs path ending in the address.
     *
     * @return the address, or empty when {@code spec} is none of these
     */
    public static Optional<String> parseAddress(String spec) {
        String s = spec.strip();
        if (s.startsWith("/")) {
            Path p = Path.of(s).normalize().getFileName();
            s = p == null ? "" : p.toString();
        }
        s = s.toLowerCase(java.util.Locale.ROOT);
        if (SHORT_ADDRESS.matcher(s).matches()) {
            s = "0000:" + s;
        }
        return ADDRESS.matcher(s).matches() ? Optional.of(s) : Optional.empty();
    }

    private Path device(String address) {
        return sysfs.resolve("bus/pci/devices").resolve(address);
    }

    /** The name of the driver bound to {@code address}, or empty when it has none. */
    public Optional<String> driver(String address) {
        Path link = device(address).resolve("driver");
        try {
            return Optional.of(Files.readSymbolicLink(link).getFileName().toString());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /**
     * Checks that {@code address} can be passed through and finds its files.
     *
     * @throws BackendException saying what is wrong and what to do
     */
    public Located locate(String address) {
        Path device = device(address);
        if (!Files.exists(device)) {
            throw new BackendException("no PCI device " + address + " on this host (" + device
                    + " does not exist); 'lspci -D' lists the devices there are");
        }
        Optional<String> driver = driver(address);
        if (driver.isEmpty() || !driver.get().equals(VFIO_DRIVER)) {
            String now = driver.map(d -> "is bound to " + d + ", not " + VFIO_DRIVER).orElse("is not bound to "
                    + VFIO_DRIVER + " (it has no driver)");
            String unbind = driver.isPresent() ? "echo " + address + " > " + device.resolve("driver/unbind") + "; " : "";
            throw new BackendException(address + " " + now + "; hand it to vfio-pci (as root): modprobe vfio-pci; "
                    + unbind + "echo vfio-pci > " + device.resolve("driver_override") + "; echo " + address + " > "
                    + sysfs.resolve("bus/pci/drivers_probe"));
        }
        Path containerFile = dev.resolve("vfio/vfio");
        if (!Files.exists(containerFile)) {
            throw new BackendException(containerFile + " does not exist although " + address + " is bound to "
                    + VFIO_DRIVER + ": VFIO's device files are missing here (in a container, pass "
                    + dev.resolve("vfio") + " through, e.g. --device " + containerFile + " and the group file)");
        }
        int group = group(address);
        Path groupFile = dev.resolve("vfio").resolve(Integer.toString(group));
        if (!Files.exists(groupFile)) {
            throw new BackendException(groupFile + " does not exist although " + address + " is in IOMMU group "
                    + group + ": VFIO's device files are missing here (in a container, pass " + groupFile
                    + " and " + containerFile + " through)");
        }
        return new Located(address, group, containerFile, groupFile);
    }

    private int group(String address) {
        Path link = device(address).resolve("iommu_group");
        try {
            return Integer.parseInt(Files.readSymbolicLink(link).getFileName().toString());
        } catch (IOException | NumberFormatException e) {
            throw new BackendException(address + " has no IOMMU group (no " + link + "): the host has no IOMMU "
                    + "enabled; turn on VT-d/AMD-Vi in the firmware and boot with intel_iommu=on (Intel) or "
                    + "amd_iommu=on (AMD)");
        }
    }

    /**
     * The message for a group the kernel says is not viable: every device in it must be bound to
     * vfio-pci (or to no driver) before any can be used.
     */
    public String notViableMessage(Located located) {
        List<String> blockers = new ArrayList<>();
        List<String> others = new ArrayList<>();
        Path members = sysfs.resolve("kernel/iommu_groups").resolve(Integer.toString(located.group())).resolve("devices");
        try (Stream<Path> list = Files.list(members)) {
            for (Path p : list.sorted().toList()) {
                String other = p.getFileName().toString();
                if (other.equals(located.address())) {
                    continue;
                }
                Optional<String> d = driver(other);
                if (d.isPresent() && !d.get().equals(VFIO_DRIVER)) {
                    blockers.add(other + " (bound to " + d.get() + ")");
                } else {
                    others.add(other + " (" + d.orElse("no driver") + ")");
                }
            }
        } catch (IOException e) {
            blockers.add("(cannot list " + members + ": " + e.getMessage() + ")");
        }
        StringBuilder s = new StringBuilder("IOMMU group " + located.group() + " of " + located.address()
                + " is not viable: every device in the group must be bound to vfio-pci or to no driver");
        if (!blockers.isEmpty()) {
            s.append(", but ").append(String.join(", ", blockers)).append(" is not");
        }
        if (!others.isEmpty()) {
            s.append("; the group's other devices: ").append(String.join(", ", others));
        }
        s.append(". Unbind the others (echo ADDRESS > ").append(sysfs.resolve("bus/pci/devices/ADDRESS/driver/unbind"))
                .append(") or bind them to vfio-pci too");
        return s.toString();
    }
}
