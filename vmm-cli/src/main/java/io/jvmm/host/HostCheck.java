package io.jvmm.host;

import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmException;
import io.jvmm.kvm.LibC;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Decides up front whether this host can run a stock Linux guest, so the user gets one clear
 * line instead of a hang: no /dev/kvm, no permission, or a PVM host (HOST-FACTS.md: the
 * kvm_pvm module runs only PVM-aware guests).
 */
public final class HostCheck {
    /** Overrides the KVM device path (tests use it to simulate a host without KVM). */
    public static final String DEVICE_PROPERTY = "jvmm.kvm.device";
    /** Overrides the sysfs root (tests use it to simulate a PVM host or a normal one). */
    public static final String SYSFS_PROPERTY = "jvmm.sysfs";

    private final String devicePath;
    private final Path sysfs;

    public HostCheck(String devicePath, Path sysfs) {
        this.devicePath = devicePath;
        this.sysfs = sysfs;
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
        if (!Files.exists(Path.of(devicePath))) {
            return Optional.of("no " + devicePath + ": this host has no KVM (load kvm_intel or kvm_amd, enable "
                    + "virtualisation in the firmware, or run inside the nested test host: scripts/nested-run -- bin/jvmm run CONFIG)");
        }
        if (Files.isDirectory(sysfs.resolve("module/kvm_pvm"))) {
            return Optional.of("this host's KVM is PVM (module kvm_pvm): stock Linux kernels cannot boot here; "
                    + "run inside the nested test host instead: scripts/nested-run -- bin/jvmm run CONFIG");
        }
        try (Kvm kvm = Kvm.open(devicePath)) {
            int version = kvm.apiVersion();
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
