package io.jvmm.host;

import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmException;
import io.jvmm.kvm.LibC;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Decides up front whether this host can run a stock Linux guest, so the user gets one clear
 * line instead of a hang: no /dev/kvm, no permission, or a PVM host (the out-of-tree kvm_pvm
 * module runs only guests written for PVM, and may be loaded without giving a /dev/kvm at all).
 * The device path, the sysfs root and the probe that opens the device are all parameters, so
 * every answer can be tested on any machine.
 */
public final class HostCheck {
    /** Overrides the KVM device path (tests use it to simulate a host without KVM). */
    public static final String DEVICE_PROPERTY = "jvmm.kvm.device";
    /** Overrides the sysfs root (tests use it to simulate a PVM host or a normal one). */
    public static final String SYSFS_PROPERTY = "jvmm.sysfs";

    private static final String NESTED_HINT = "run inside the nested test host instead: "
            + "scripts/nested-run -- bin/jvmm run CONFIG";

    /** Opens the KVM device and answers KVM_GET_API_VERSION; throws {@link KvmException} with errno. */
    @FunctionalInterface
    public interface DeviceProbe {
        int apiVersion(String devicePath);

        /** The real probe: open(2) and KVM_GET_API_VERSION (Documentation/virt/kvm/api.rst, 4.1). */
        DeviceProbe KERNEL = path -> {
            try (Kvm kvm = Kvm.open(path)) {
                return kvm.apiVersion();
            }
        };
    }

    private final String devicePath;
    private final Path sysfs;
    private final DeviceProbe probe;

    public HostCheck(String devicePath, Path sysfs, DeviceProbe probe) {
        this.devicePath = devicePath;
        this.sysfs = sysfs;
        this.probe = probe;
    }

    public HostCheck(String devicePath, Path sysfs) {
        this(devicePath, sysfs, DeviceProbe.KERNEL);
    }

    public static HostCheck fromSystem() {
        return new HostCheck(System.getProperty(DEVICE_PROPERTY, "/dev/kvm"),
                Path.of(System.getProperty(SYSFS_PROPERTY, "/sys")));
    }

    public String devicePath() {
        return devicePath;
    }

    /** Why this host cannot run the VM, or empty when it can. Opens and closes the device once. */
    public Optional<String> problem() {
        boolean pvm = Files.isDirectory(sysfs.resolve("module/kvm_pvm"));
        if (!Files.exists(Path.of(devicePath))) {
            if (pvm) {
                return Optional.of("no " + devicePath + ": this host has only PVM KVM (module kvm_pvm is loaded "
                        + "but gives no " + devicePath + "), which cannot boot stock Linux kernels; " + NESTED_HINT);
            }
            return Optional.of("no " + devicePath + ": this host has no KVM (load kvm_intel or kvm_amd, enable "
                    + "virtualisation in the firmware, or " + NESTED_HINT + ")");
        }
        if (pvm) {
            return Optional.of("this host's KVM is PVM (module kvm_pvm): stock Linux kernels cannot boot here; "
                    + NESTED_HINT);
        }
        try {
            int version = probe.apiVersion(devicePath);
            if (version != Kvm.API_VERSION) {
                return Optional.of(devicePath + " speaks KVM API " + version + ", jvmm needs " + Kvm.API_VERSION);
            }
        } catch (KvmException e) {
            if (e.errno() == LibC.EACCES) {
                return Optional.of("permission denied opening " + devicePath
                        + ": add your user to the group that owns it (usually 'kvm') and log in again");
            }
            return Optional.of("cannot use " + devicePath + ": " + e.getMessage());
        }
        return Optional.empty();
    }
}
