package io.jvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.vm.VmExit;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class JvmmCommandTest {
    @TempDir
    Path tmp;

    /** One invocation's exit code and output. */
    record Result(int code, String out, String err) {
    }

    static Result jvmm(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = JvmmCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private Path config(String text) throws Exception {
        Files.createDirectories(tmp.resolve("guest"));
        Files.writeString(tmp.resolve("guest/vmlinuz"), "k");
        Path file = tmp.resolve("vm.toml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void helpListsTheCommandsExitCodesAndExamples() {
        Result r = jvmm("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("run", "check", "plugins", "help")
                .contains("Exit codes:")
                .contains(" 0   OK; for run and restore: the guest powered off or reset")
                .contains(" 1   The VM failed")
                .contains(" 2   Bad command line, invalid config file")
                .contains(" 3   This host cannot run VMs")
                .contains(" 5   run, restore: the guest triple-faulted")
                .contains("Examples:", "jvmm run examples/configs/demo.toml", "JVMM_PLUGIN_PATH");
    }

    @Test
    void everySubcommandDocumentsOptionsExitCodesAndExamples() {
        Result r = jvmm("run", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--serial-file", "--serial=MODE", "--cmdline-append", "--log-level", "--plugin-dir",
                "Ctrl-A x", "Exit codes:", "Examples:");
        assertThat(jvmm("help", "check").out()).contains("Validates CONFIG", "Exit codes:");
        assertThat(jvmm("plugins", "-h").out()).contains("Lists the device plugins", "Exit codes:");
    }

    @Test
    void versionComesFromTheManifestOrIsDev() {
        Result r = jvmm("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("jvmm dev (device plugin SPI " + io.jvmm.spi.SpiVersion.CURRENT + ")").contains("Java 17");
    }

    @Test
    void versionAloneIsPrintedWithoutPicocliAndReadsTheSame() {
        for (String flag : new String[] {"--version", "-V"}) {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            assertThat(JvmmCommand.printVersionIfAsked(new String[] {flag},
                    new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8))).isTrue();
            assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8)).as(flag).isEqualTo(jvmm("--version").out());
        }
        for (String[] args : new String[][] {{}, {"--version", "run"}, {"run", "--version"}, {"--versions"}}) {
            assertThat(JvmmCommand.printVersionIfAsked(args, new java.io.PrintStream(java.io.OutputStream.nullOutputStream())))
                    .as(String.join(" ", args)).isFalse();
        }
    }

    @Test
    void noCommandIsAUsageError() {
        Result r = jvmm();
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("missing command", "Usage: jvmm");
    }

    @Test
    void checkPrintsASummaryOfAValidConfig() throws Exception {
        Path file = config("""
                [vm]
                memory = "1G"
                vcpus = 2
                [boot]
                kernel = "guest/vmlinuz"
                [[device]]
                type = "debugcon"
                path = "debugcon.log"
                """);
        Result r = jvmm("check", file.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo(file + ": ok (2 vCPUs, 1024 MiB, 1 device)" + System.lineSeparator());
    }

    @Test
    void checkReportsConfigErrorsOneLineEachWithoutStackTrace() throws Exception {
        Path file = config("[vm]\nmemory = \"abc\"\n[boot]\nkernel = \"guest/vmlinuz\"\n");
        Result r = jvmm("check", file.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo(file + ":2: vm.memory = \"abc\": expected a size like 512M, 2G or a number of bytes"
                + System.lineSeparator());
        assertThat(r.out()).isEmpty();
    }

    @Test
    void checkReportsPluginKeysAndUnknownTypes() throws Exception {
        Path file = config("""
                [boot]
                kernel = "guest/vmlinuz"
                [[device]]
                type = "debugcon"
                pth = "x"
                [[device]]
                type = "virtio-blck"
                """);
        Result r = jvmm("check", file.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith(file + ":7: device[2].type = \"virtio-blck\": no plugin for this device type (known: ")
                .contains("debugcon");
        Files.writeString(file, Files.readString(file).replace("virtio-blck", "debugcon"));
        r = jvmm("check", file.toString());
        assertThat(r.err().strip()).isEqualTo(file + ":5: device[1] (debugcon): unknown key 'pth' (known: port, path)");
    }

    @Test
    void stackTracesOnlyWithDebugLogging() throws Exception {
        Path file = config("[boot]\n");
        assertThat(jvmm("check", file.toString()).err()).doesNotContain("\tat ");
        Result r = jvmm("check", "--log-level", "debug", file.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("boot.kernel: missing", "\tat ");
        jvmm("check", "--log-level", "warn", file.toString()); // put the default back for later tests
    }

    @Test
    void pluginsListsTheExamplePlugin() {
        Result r = jvmm("plugins");
        assertThat(r.code()).isZero();
        assertThat(r.out().lines().findFirst()).get().asString().matches("TYPE +SPI +DESCRIPTION +JAR");
        assertThat(r.out()).containsPattern("(?m)^debugcon +" + io.jvmm.spi.SpiVersion.CURRENT + " +Bochs/QEMU debug console.* +\\S*debugcon\\S*$");
    }

    @Test
    void pluginsListsTheVirtioAndVfioDeviceTypes() {
        Result r = jvmm("plugins");
        assertThat(r.code()).isZero();
        for (String type : new String[] {"virtio-blk", "virtio-net", "virtio-console", "virtio-rng", "virtio-vsock", "vfio"}) {
            assertThat(r.out()).containsPattern("(?m)^" + type + " +" + io.jvmm.spi.SpiVersion.CURRENT + " +\\S");
        }
    }

    @Test
    void aMistypedVirtioKeyIsNamedByThePlugin() throws Exception {
        Path file = config("""
                [boot]
                kernel = "guest/vmlinuz"
                [[device]]
                type = "virtio-net"
                tap = "tap0"
                mca = "52:54:00:12:34:56"
                """);
        Result r = jvmm("check", file.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith(file + ":6: device[1] (virtio-net): unknown key 'mca' (known: ")
                .contains("mac");
    }

    @Test
    void checkNamesBadVsockKeysWithoutBindingTheSocket() throws Exception {
        Files.writeString(tmp.resolve("notasocket"), "x");
        Path file = config("""
                [boot]
                kernel = "guest/vmlinuz"
                [[device]]
                type = "virtio-vsock"
                cid = 2
                socket = "vm.vsock"
                [[device]]
                type = "virtio-vsock"
                cid = 3
                socket = "notasocket"
                [[device]]
                type = "virtio-vsock"
                cid = 4
                socket = "nodir/vm.vsock"
                """);
        Result r = jvmm("check", file.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("'cid'").contains("expected 3 to 4294967294")
                .contains("exists and is not a socket").contains("does not exist");

        Path good = config("""
                [boot]
                kernel = "guest/vmlinuz"
                [[device]]
                type = "virtio-vsock"
                cid = 3
                socket = "vm.vsock"
                """);
        assertThat(jvmm("check", good.toString()).code()).isZero();
        assertThat(tmp.resolve("vm.vsock")).doesNotExist();
    }

    @Test
    void aMissingPluginDirectoryIsAUsageError() {
        Result r = jvmm("plugins", "--plugin-dir", tmp.resolve("none").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("jvmm: plugin directory not found: " + tmp.resolve("none"));
    }

    @Test
    void runWithAMissingKernelFailsBeforeTouchingKvm() throws Exception {
        Path file = config("[boot]\nkernel = \"guest/bzImage\"\n");
        Result r = jvmm("run", file.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo(file + ":2: boot.kernel = \"guest/bzImage\": file not found: "
                + tmp.resolve("guest/bzImage") + System.lineSeparator());
    }

    @Test
    void runWithAMissingConfigIsAUsageError() {
        Result r = jvmm("run", tmp.resolve("nope.toml").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo(tmp.resolve("nope.toml") + ": cannot read the config: no such file" + System.lineSeparator());
    }

    @Test
    void runRejectsContradictorySerialOptions() throws Exception {
        Path file = config("[boot]\nkernel = \"guest/vmlinuz\"\n");
        Result r = jvmm("run", "--serial", "file", file.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("--serial file needs --serial-file FILE");
        r = jvmm("run", "--serial", "stdio", "--serial-file", "x.log", file.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("--serial-file goes with --serial file");
        r = jvmm("run", "--serial", "tty", file.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("Invalid value for option '--serial': 'tty' (expected stdio, file or off)");
    }

    @Test
    void theGuestEndIsOneLine() {
        assertThat(RunCommand.message(VmExit.POWER_OFF)).isEqualTo("jvmm: guest powered off");
        assertThat(RunCommand.message(VmExit.RESET)).isEqualTo("jvmm: guest reset (reboot)");
        assertThat(RunCommand.message(VmExit.STOPPED_BY_USER)).isEqualTo("jvmm: VM stopped from the console (Ctrl-A x)");
        assertThat(RunCommand.message(VmExit.TRIPLE_FAULT)).isEqualTo("jvmm: guest triple-faulted: the VM is stopped (exit code 5)");
        assertThat(ExitCodes.forVmExit(VmExit.TRIPLE_FAULT)).isEqualTo(5);
        assertThat(ExitCodes.forVmExit(VmExit.POWER_OFF)).isZero();
        assertThat(ExitCodes.forVmExit(VmExit.RESET)).isZero();
    }

    @Test
    void exitCodesFollowTheExceptionKind() {
        assertThat(ExitCodes.forException(new io.jvmm.vm.HostUnsupportedException("no /dev/kvm"))).isEqualTo(3);
        assertThat(ExitCodes.forException(new io.jvmm.vm.VmException("vCPU 0 failed"))).isEqualTo(1);
        assertThat(ExitCodes.forException(new io.jvmm.plugin.PluginException("dup"))).isEqualTo(2);
        assertThat(ExitCodes.forException(new IllegalStateException())).isEqualTo(1);
    }

    @Test
    void logLevelIsFoundInRawArguments() {
        String before = System.getProperty(LogLevel.PROPERTY);
        try {
            LogLevel.applyFromArgs(java.util.List.of("run", "--log-level=INFO", "x.toml"));
            assertThat(System.getProperty(LogLevel.PROPERTY)).isEqualTo("info");
            LogLevel.applyFromArgs(java.util.List.of("--log-level", "trace"));
            assertThat(System.getProperty(LogLevel.PROPERTY)).isEqualTo("trace");
        } finally {
            if (before == null) {
                System.clearProperty(LogLevel.PROPERTY);
            } else {
                System.setProperty(LogLevel.PROPERTY, before);
            }
        }
    }

    @Test
    void eachSubcommandIsRegisteredUnderItsOwnCommandName() {
        JvmmCommand.SUBCOMMANDS.forEach((name, type) ->
                assertThat(new CommandLine(type).getCommandName()).as(type.getName()).isEqualTo(name));
        assertThat(JvmmCommand.commandLine().getSubcommands()).containsOnlyKeys(JvmmCommand.SUBCOMMANDS.keySet());
    }

    @Test
    void aStartBuildsOnlyTheSubcommandItRunsAndItsHelpIsTheSame() {
        CommandLine all = JvmmCommand.commandLine();
        for (String name : JvmmCommand.SUBCOMMANDS.keySet()) {
            CommandLine lazy = JvmmCommand.commandLineFor(new String[] {name, "--help"});
            if (name.equals("help") || name.equals("completion")) {
                assertThat(lazy.getSubcommands()).as(name).containsOnlyKeys(JvmmCommand.SUBCOMMANDS.keySet());
            } else {
                assertThat(lazy.getSubcommands()).as(name).containsOnlyKeys(name);
            }
            assertThat(lazy.getSubcommands().get(name).getUsageMessage()).as(name)
                    .isEqualTo(all.getSubcommands().get(name).getUsageMessage());
        }
        for (String[] args : new String[][] {{}, {"--help"}, {"-h"}, {"--version", "run"}, {"rn"}, {"--log-level", "debug", "run"}}) {
            assertThat(JvmmCommand.commandLineFor(args).getSubcommands()).as(String.join(" ", args))
                    .containsOnlyKeys(JvmmCommand.SUBCOMMANDS.keySet());
        }
    }

    @Test
    void aMistypedCommandStillGetsSuggestionsFromTheFullList() {
        StringWriter err = new StringWriter();
        CommandLine cl = JvmmCommand.commandLineFor(new String[] {"restor", "snap"});
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute("restor", "snap")).isEqualTo(2);
        assertThat(err.toString()).contains("restore");
    }
}
