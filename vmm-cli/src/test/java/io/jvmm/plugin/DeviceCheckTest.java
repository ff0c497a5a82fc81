package io.jvmm.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.jvmm.config.ConfigError;
import io.jvmm.config.ConfigException;
import io.jvmm.config.ConfigLoader;
import io.jvmm.config.VmConfig;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceCheckTest {
    @TempDir
    Path tmp;

    private VmConfig config(String devices) throws Exception {
        Files.writeString(tmp.resolve("vmlinuz"), "k");
        Path file = tmp.resolve("vm.toml");
        Files.writeString(file, "[boot]\nkernel = \"vmlinuz\"\n" + devices);
        return ConfigLoader.load(file);
    }

    private PluginRegistry registry() throws Exception {
        Path dir = tmp.resolve("services");
        Path file = dir.resolve(PluginRegistryTest.SERVICES);
        Files.createDirectories(file.getParent());
        Files.writeString(file, TestFactories.NeedsVm.class.getName() + "\n");
        return PluginRegistry.load(new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader()));
    }

    @Test
    void aValidDeviceIsCreatedAndClosedWithoutAVm() throws Exception {
        VmConfig c = config("[[device]]\ntype = \"debugcon\"\nport = \"0x402\"\npath = \"debugcon.log\"\n");
        assertThat(DeviceCheck.dryRun(c, registry())).isZero();
    }

    @Test
    void reportsUnknownKeysAndBadValuesOfEveryDevice() throws Exception {
        VmConfig c = config("""
                [[device]]
                type = "debugcon"
                pth = "x.log"
                [[device]]
                type = "debugcon"
                port = 70000
                """);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> DeviceCheck.dryRun(c, registry()));
        assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                tmp.resolve("vm.toml") + ":5: device[1] (debugcon): unknown key 'pth' (known: port, path)",
                tmp.resolve("vm.toml") + ":8: device[2] (debugcon): key 'port' = 70000: expected an I/O port from 0 to 0xFFFF");
    }

    @Test
    void aHostResourceTheFactoryCannotHaveIsAnError() throws Exception {
        VmConfig c = config("[[device]]\ntype = \"debugcon\"\npath = \"no/dir/x.log\"\n");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> DeviceCheck.dryRun(c, registry()));
        assertThat(e.getMessage()).startsWith(tmp.resolve("vm.toml") + ":3: device[1] (debugcon): debugcon: cannot open ");
    }

    @Test
    void aFactoryThatNeedsTheVmIsCheckedUpToThereAndKeysItHasNotReadAreUnknown() throws Exception {
        assertThat(DeviceCheck.dryRun(config("[[device]]\ntype = \"test-needs-vm\"\n"), registry())).isZero();
        VmConfig c = config("[[device]]\ntype = \"test-needs-vm\"\nanything = 1\n");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> DeviceCheck.dryRun(c, registry()));
        assertThat(e.getMessage()).startsWith(tmp.resolve("vm.toml") + ":5: device[1] (test-needs-vm): unknown key 'anything'");
    }

    @Test
    void unknownTypesAreAllReported() throws Exception {
        VmConfig c = config("[[device]]\ntype = \"a\"\n[[device]]\ntype = \"debugcon\"\n[[device]]\ntype = \"b\"\n");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> DeviceCheck.checkTypes(c, registry()));
        assertThat(e.errors()).extracting(ConfigError::line).containsExactly(4, 8);
    }
}
