package io.jvmm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path tmp;
    ConfigFiles files;
    Path demo;

    @BeforeEach
    void setUp() throws Exception {
        files = new ConfigFiles(tmp);
        demo = tmp.resolve("demo.toml");
    }

    private List<String> errors(String text) {
        return files.errors(text);
    }

    private String error(String text) {
        List<String> errors = errors(text);
        assertThat(errors).hasSize(1);
        return errors.get(0);
    }

    @Test
    void readsAFullValidConfig() throws Exception {
        VmConfig c = files.load("""
                [vm]
                name = "demo"
                memory = "512M"      # a comment
                vcpus = 2
                [boot]
                kernel = "guest/vmlinuz"
                initramfs = "guest/initrd.cpio.gz"
                cmdline = "console=ttyS0 quiet"
                [serial]
                mode = "file"
                path = "serial.log"
                [[device]]
                type = "virtio-blk"
                id = "disk0"
                path = "disk.img"
                [[device]]
                type = "virtio-blk"
                path = "other.img"
                readonly = true
                [[device]]
                type = "debugcon"
                """);
        assertThat(c.source()).isEqualTo(demo);
        assertThat(c.vm()).isEqualTo(new VmSection("demo", 512 * Sizes.MIB, 2));
        assertThat(c.boot()).isEqualTo(new BootSection(tmp.resolve("guest/vmlinuz"),
                Optional.of(tmp.resolve("guest/initrd.cpio.gz")), "console=ttyS0 quiet"));
        assertThat(c.serial()).isEqualTo(SerialSection.file(tmp.resolve("serial.log")));
        assertThat(c.devices()).extracting(DeviceSection::index, DeviceSection::type, DeviceSection::id)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1, "virtio-blk", "disk0"),
                        org.assertj.core.groups.Tuple.tuple(2, "virtio-blk", "virtio-blk0"),
                        org.assertj.core.groups.Tuple.tuple(3, "debugcon", "debugcon0"));
        assertThat(c.devices().get(1).values()).containsEntry("readonly", true).containsEntry("path", "other.img");
        assertThat(c.devices().get(1).line()).isEqualTo(16);
    }

    @Test
    void appliesDefaultsForEverythingButTheKernel() throws Exception {
        VmConfig c = files.load(ConfigFiles.BOOT);
        assertThat(c.vm()).isEqualTo(new VmSection("demo", 512 * Sizes.MIB, 1));
        assertThat(c.boot().cmdline()).isEqualTo("console=ttyS0 reboot=k panic=-1");
        assertThat(c.boot().initramfs()).isEmpty();
        assertThat(c.serial()).isEqualTo(SerialSection.STDIO);
        assertThat(c.devices()).isEmpty();
    }

    @Test
    void resolvesRelativePathsAgainstTheConfigDirectoryNotTheWorkingDirectory() throws Exception {
        files.write("vms/guest/bzImage", "k");
        Path config = files.write("vms/one.toml", """
                [boot]
                kernel = "guest/bzImage"
                initramfs = "../guest/initrd.cpio.gz"
                [serial]
                mode = "file"
                path = "logs/../serial.log"
                """);
        VmConfig c = ConfigLoader.load(config);
        assertThat(c.boot().kernel()).isEqualTo(tmp.resolve("vms/guest/bzImage"));
        assertThat(c.boot().initramfs()).contains(tmp.resolve("guest/initrd.cpio.gz"));
        assertThat(c.serial().path()).contains(tmp.resolve("vms/serial.log"));
        assertThat(c.vm().name()).isEqualTo("one");
    }

    @Test
    void absolutePathsStayAsTheyAre() throws Exception {
        Path kernel = tmp.resolve("guest/vmlinuz").toAbsolutePath();
        VmConfig c = files.load("[boot]\nkernel = \"" + kernel + "\"\n");
        assertThat(c.boot().kernel()).isEqualTo(kernel);
    }

    @Test
    void acceptsMemoryAsAPlainNumberOfBytes() throws Exception {
        VmConfig c = files.load("[vm]\nmemory = 134217728\n" + ConfigFiles.BOOT);
        assertThat(c.vm().memoryMiB()).isEqualTo(128);
    }

    @Test
    void badSizeNamesFileLineKeyValueAndExpectedForm() {
        assertThat(error("[vm]\nname = \"demo\"\nmemory = \"abc\"\n" + ConfigFiles.BOOT))
                .isEqualTo(demo + ":3: vm.memory = \"abc\": expected a size like 512M, 2G or a number of bytes");
        assertThat(error("[vm]\nmemory = \"12X\"\n" + ConfigFiles.BOOT))
                .isEqualTo(demo + ":2: vm.memory = \"12X\": expected a size like 512M, 2G or a number of bytes");
        assertThat(error("[vm]\nmemory = -5\n" + ConfigFiles.BOOT))
                .isEqualTo(demo + ":2: vm.memory = -5: expected a size like 512M, 2G or a number of bytes");
        assertThat(error("[vm]\nmemory = \"9999999999G\"\n" + ConfigFiles.BOOT))
                .startsWith(demo + ":2: vm.memory = \"9999999999G\": expected a size");
    }

    @Test
    void memoryBelow64MIsRejected() {
        assertThat(error("[vm]\nmemory = \"32M\"\n" + ConfigFiles.BOOT))
                .isEqualTo(demo + ":2: vm.memory = \"32M\": expected at least 64M");
        assertThat(error("[vm]\nmemory = 1000\n" + ConfigFiles.BOOT))
                .isEqualTo(demo + ":2: vm.memory = 1000: expected at least 64M");
    }

    @Test
    void memoryAbove1TiBIsRejectedBeforeItWrapsTheGuestLayout() throws Exception {
        // 8589934591G fits in a long (just under 2^63) and used to pass, then wrap the RAM layout.
        assertThat(error("[vm]\nmemory = \"8589934591G\"\n" + ConfigFiles.BOOT))
                .isEqualTo(demo + ":2: vm.memory = \"8589934591G\": expected at most 1024G (1 TiB, what the guest's "
                        + "physical address layout is made for)");
        assertThat(error("[vm]\nmemory = \"1025G\"\n" + ConfigFiles.BOOT)).contains("expected at most 1024G");
        assertThat(files.load("[vm]\nmemory = \"1024G\"\n" + ConfigFiles.BOOT).vm().memoryBytes()).isEqualTo(1L << 40);
    }

    @Test
    void memoryMustBeWholeMebibytes() {
        assertThat(error("[vm]\nmemory = 100000000\n" + ConfigFiles.BOOT))
                .isEqualTo(demo + ":2: vm.memory = 100000000: expected a whole number of MiB, e.g. 95M");
    }

    @Test
    void vcpusMustBeAnIntegerFrom1To254() {
        String expected = ": expected an integer from 1 to 254";
        assertThat(error("[vm]\nvcpus = \"two\"\n" + ConfigFiles.BOOT)).isEqualTo(demo + ":2: vm.vcpus = \"two\"" + expected);
        assertThat(error("[vm]\nvcpus = 0\n" + ConfigFiles.BOOT)).isEqualTo(demo + ":2: vm.vcpus = 0" + expected);
        assertThat(error("[vm]\nvcpus = 255\n" + ConfigFiles.BOOT)).isEqualTo(demo + ":2: vm.vcpus = 255" + expected);
        assertThat(error("[vm]\nvcpus = 1.5\n" + ConfigFiles.BOOT)).isEqualTo(demo + ":2: vm.vcpus = 1.5" + expected);
    }

    @Test
    void unknownKeysInVmBootAndSerialAreErrors() {
        assertThat(errors("""
                [vm]
                memry = "1G"
                [boot]
                kernel = "guest/vmlinuz"
                initrd = "guest/initrd.cpio.gz"
                [serial]
                file = "x.log"
                """)).containsExactly(
                demo + ":2: vm.memry: unknown key (known: name, memory, vcpus)",
                demo + ":5: boot.initrd: unknown key (known: kernel, initramfs, cmdline)",
                demo + ":7: serial.file: unknown key (known: mode, path)");
    }

    @Test
    void unknownTablesAndTopLevelKeysAreErrors() {
        assertThat(errors(ConfigFiles.BOOT + "\n[network]\ntap = \"tap0\"\n"))
                .containsExactly(demo + ":4: [network]: unknown table (known: [vm], [boot], [serial] and [[device]])");
        assertThat(errors("memory = \"1G\"\n" + ConfigFiles.BOOT))
                .containsExactly(demo + ":1: memory: unknown key at the top level (keys go in one of [vm], [boot], [serial] and [[device]])");
        assertThat(errors(ConfigFiles.BOOT + "[[disk]]\npath = \"x\"\n"))
                .containsExactly(demo + ":3: [disk]: unknown table (known: [vm], [boot], [serial] and [[device]])");
    }

    @Test
    void aSingleDeviceTableInsteadOfAnArrayIsAnError() {
        assertThat(error(ConfigFiles.BOOT + "[device]\ntype = \"x\"\n"))
                .isEqualTo(demo + ":3: device = a table: expected [[device]] tables (one per device)");
    }

    @Test
    void wrongTypesAreNamedWithTheValueFound() {
        assertThat(error("[vm]\nname = 5\n" + ConfigFiles.BOOT)).isEqualTo(demo + ":2: vm.name = 5: expected a name in quotes");
        assertThat(error("[boot]\nkernel = [\"a\"]\n"))
                .isEqualTo(demo + ":2: boot.kernel = an array: expected the path of a Linux kernel (bzImage or vmlinux) in quotes");
        assertThat(error(ConfigFiles.BOOT + "cmdline = true\n")).isEqualTo(demo + ":3: boot.cmdline = true: expected a string in quotes");
        assertThat(error("vm = 3\n" + ConfigFiles.BOOT)).isEqualTo(demo + ":1: vm = 3: expected a [vm] table");
    }

    @Test
    void missingKernelIsAnError() {
        assertThat(error("[vm]\nvcpus = 1\n"))
                .isEqualTo(demo + ": boot.kernel: missing (expected a [boot] table with kernel = \"path/to/vmlinuz\")");
        assertThat(error("[vm]\nvcpus = 1\n[boot]\ncmdline = \"x\"\n"))
                .isEqualTo(demo + ":3: boot.kernel: missing (expected the path of a Linux kernel (bzImage or vmlinux) in quotes)");
    }

    @Test
    void kernelAndInitramfsMustExist() {
        assertThat(errors("""
                [boot]
                kernel = "guest/bzImage"
                initramfs = "guest"
                """)).containsExactly(
                demo + ":2: boot.kernel = \"guest/bzImage\": file not found: " + tmp.resolve("guest/bzImage"),
                demo + ":3: boot.initramfs = \"guest\": is a directory: " + tmp.resolve("guest"));
    }

    @Test
    void serialFileModeNeedsAPathAndOtherModesTakeNone() {
        assertThat(error(ConfigFiles.BOOT + "[serial]\nmode = \"file\"\n"))
                .isEqualTo(demo + ":4: serial.path: missing (mode = \"file\" needs path = \"serial.log\")");
        assertThat(error(ConfigFiles.BOOT + "[serial]\nmode = \"stdio\"\npath = \"x.log\"\n"))
                .isEqualTo(demo + ":5: serial.path: only used with mode = \"file\" (mode is \"stdio\")");
        assertThat(error(ConfigFiles.BOOT + "[serial]\nmode = \"tty\"\n"))
                .isEqualTo(demo + ":4: serial.mode = \"tty\": expected \"stdio\", \"file\" or \"off\"");
        assertThat(error(ConfigFiles.BOOT + "[serial]\nmode = \"file\"\npath = \"nodir/x.log\"\n"))
                .isEqualTo(demo + ":5: serial.path = \"nodir/x.log\": directory not found: " + tmp.resolve("nodir"));
    }

    @Test
    void deviceWithoutTypeIsAnError() {
        assertThat(error(ConfigFiles.BOOT + "[[device]]\ntype = \"a\"\n[[device]]\nid = \"x\"\npath = \"p\"\n"))
                .isEqualTo(demo + ":5: device[2]: missing key 'type' (expected e.g. type = \"virtio-blk\"; see 'jvmm plugins')");
        assertThat(error(ConfigFiles.BOOT + "[[device]]\ntype = 7\n"))
                .isEqualTo(demo + ":4: device[1].type = 7: expected a device type in quotes, e.g. \"virtio-blk\"");
    }

    @Test
    void duplicateDeviceIdsAreErrors() {
        assertThat(error(ConfigFiles.BOOT + """
                [[device]]
                type = "virtio-blk"
                id = "disk0"
                [[device]]
                type = "virtio-net"
                [[device]]
                type = "virtio-blk"
                id = "disk0"
                """)).isEqualTo(demo + ":10: device[3].id = \"disk0\": duplicate id (device[1] has it too)");
    }

    @Test
    void generatedIdsAvoidExplicitOnes() throws Exception {
        VmConfig c = files.load(ConfigFiles.BOOT + """
                [[device]]
                type = "blk"
                [[device]]
                type = "blk"
                id = "blk1"
                [[device]]
                type = "blk"
                """);
        assertThat(c.devices()).extracting(DeviceSection::id).containsExactly("blk0", "blk1", "blk2");
    }

    @Test
    void badDeviceIdsAreErrors() {
        assertThat(error(ConfigFiles.BOOT + "[[device]]\ntype = \"x\"\nid = \"my disk\"\n"))
                .isEqualTo(demo + ":5: device[1].id = \"my disk\": expected a name of letters, digits, '-', '_' or '.' in quotes");
    }

    @Test
    void syntaxErrorsKeepTomlLineNumbersAndStayOnOneLine() {
        String e = error("[vm]\nname = \"demo\"\nmemory = 512M\nvcpus = 2\n" + ConfigFiles.BOOT);
        assertThat(e).isEqualTo(demo + ":3: invalid TOML: Invalid text after key memory. Make sure to terminate the value"
                + " or add a comment (#) (expected a string in quotes such as \"512M\", a number, true or false, or an array)");
        assertThat(error("[vm]\nname = demo\nvcpus = 2\n")).isEqualTo(demo + ":2: invalid TOML: Invalid value: name = demo"
                + " (expected a string in quotes such as \"512M\", a number, true or false, or an array)");
        assertThat(error("[vm\nname = 1\n")).isEqualTo(demo + ":1: invalid TOML: Invalid key: [vm");
        assertThat(error("[vm]\nname = \"a\"\nname = \"b\"\n")).isEqualTo(demo + ":3: invalid TOML: Duplicate key: name");
        assertThat(error("[vm]\nvcpus = 99999999999999999999\n"))
                .isEqualTo(demo + ":2: invalid TOML: number 99999999999999999999 out of range (expected an integer that fits in 64 bits)");
    }

    @Test
    void reportsEveryProblemInLineOrder() {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> files.load("""
                [vm]
                vcpus = 0
                memory = "1X"
                [boot]
                kernel = "missing"
                [[device]]
                path = "x"
                """));
        assertThat(((ConfigException) t).errors()).extracting(ConfigError::line).containsExactly(2, 3, 5, 6);
        assertThat(t.getMessage().lines()).hasSize(4);
    }

    @Test
    void aMissingFileIsAConfigError() {
        Path missing = tmp.resolve("nope.toml");
        assertThatThrownBy(() -> ConfigLoader.load(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessage(missing + ": cannot read the config: no such file");
    }

    @Test
    void overridesKeepEverythingElse() throws Exception {
        VmConfig c = files.load(ConfigFiles.BOOT);
        VmConfig changed = c.withSerial(SerialSection.OFF).withBoot(c.boot().withCmdlineAppended(" loglevel=8 "));
        assertThat(changed.serial()).isEqualTo(SerialSection.OFF);
        assertThat(changed.boot().cmdline()).isEqualTo("console=ttyS0 reboot=k panic=-1 loglevel=8");
        assertThat(changed.vm()).isEqualTo(c.vm());
    }
}
