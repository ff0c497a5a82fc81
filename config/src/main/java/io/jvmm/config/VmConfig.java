package io.jvmm.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A validated VM config, as read by {@link ConfigLoader#load}.
 *
 * @param source  the config file as the user named it
 * @param vm      [vm]
 * @param boot    [boot]
 * @param serial  [serial]
 * @param devices the [[device]] tables in file order
 */
public record VmConfig(Path source, VmSection vm, BootSection boot, SerialSection serial, List<DeviceSection> devices) {
    public VmConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(vm, "vm");
        Objects.requireNonNull(boot, "boot");
        Objects.requireNonNull(serial, "serial");
        devices = List.copyOf(devices);
    }

    /** This config with another serial setting (command-line override). */
    public VmConfig withSerial(SerialSection newSerial) {
        return new VmConfig(source, vm, boot, newSerial, devices);
    }

    /** This config with another boot setting (command-line override). */
    public VmConfig withBoot(BootSection newBoot) {
        return new VmConfig(source, vm, newBoot, serial, devices);
    }
}
