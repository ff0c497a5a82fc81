package io.jvmm.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.spi.DeviceFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each plugin has its own class loader that sees only the plugin API, the JDK and its own jars. */
class PluginIsolationTest {
    @TempDir
    Path tmp;

    private PluginRegistry load(Path dir) throws PluginException {
        return PluginRegistry.load(PluginPath.classLoaders(List.of(dir), getClass().getClassLoader()));
    }

    @Test
    void aPluginSeesTheSpiButNotJvmmInternalsOrTheBuiltInPlugins() throws Exception {
        Path plugins = Files.createDirectory(tmp.resolve("plugins"));
        PluginJars.jar(tmp, plugins.resolve("probe.jar"),
                Map.of("probe.F", PluginJars.factory("probe", "probe", "\"probe\"")), List.of(), "probe.F");
        DeviceFactory probe = load(plugins).find("probe").orElseThrow();
        ClassLoader loader = probe.getClass().getClassLoader();

        assertThat(loader.loadClass("io.jvmm.spi.Device")).isSameAs(io.jvmm.spi.Device.class);
        assertThat(loader.loadClass("org.slf4j.Logger")).isSameAs(org.slf4j.Logger.class);
        assertThat(loader.loadClass("java.util.List")).isSameAs(List.class);
        // The virtio API is shared, jvmm's own virtio devices are not.
        assertThat(loader.loadClass("io.jvmm.virtio.VirtioDevice")).isSameAs(io.jvmm.virtio.VirtioDevice.class);
        assertThat(loader.loadClass("io.jvmm.virtio.pci.VirtioPciDevice")).isSameAs(io.jvmm.virtio.pci.VirtioPciDevice.class);
        assertThat(loader.loadClass("io.jvmm.virtio.queue.SplitQueue")).isSameAs(io.jvmm.virtio.queue.SplitQueue.class);
        for (String hidden : List.of("io.jvmm.vm.Vm", "io.jvmm.kvm.Kvm", "io.jvmm.plugin.PluginRegistry",
                "io.jvmm.virtio.block.VirtioBlock", "io.jvmm.virtio.rng.RngDeviceFactory", "io.jvmm.virtio.pcix.Nope",
                "picocli.CommandLine", "com.sun.jna.Native")) {
            assertThatThrownBy(() -> loader.loadClass(hidden)).as(hidden)
                    .isInstanceOf(ClassNotFoundException.class)
                    .hasMessageContaining("a plugin sees only its own jars, the JDK and io.jvmm.spi.*, org.slf4j.*");
        }
        // Its ServiceLoader finds its own provider only, not jvmm's built-in ones.
        assertThat(loader.getResources(PluginRegistryTest.SERVICES).asIterator()).toIterable().hasSize(1);
    }

    @Test
    void twoPluginsBundlingDifferentVersionsOfOneLibraryEachGetTheirOwn() throws Exception {
        Path plugins = Files.createDirectory(tmp.resolve("plugins"));
        for (String v : List.of("1", "2")) {
            Path dir = plugins.resolve("p" + v);
            Path lib = PluginJars.jar(tmp, dir.resolve("greeting-" + v + ".jar"), Map.of("lib.Greeting",
                    "package lib; public class Greeting { public static String text() { return \"greeting v" + v + "\"; } }"),
                    List.of(), null);
            PluginJars.jar(tmp, dir.resolve("plugin.jar"),
                    Map.of("p" + v + ".F", PluginJars.factory("p" + v, "uses-v" + v, "lib.Greeting.text()")),
                    List.of(lib), "p" + v + ".F");
        }
        PluginRegistry registry = load(plugins);
        assertThat(registry.skipped()).isEmpty();
        assertThat(registry.find("uses-v1").orElseThrow().description()).isEqualTo("greeting v1");
        assertThat(registry.find("uses-v2").orElseThrow().description()).isEqualTo("greeting v2");
    }

    @Test
    void aBrokenPluginIsSkippedAndNamedAndTheOthersLoad() throws Exception {
        Path plugins = Files.createDirectory(tmp.resolve("plugins"));
        Path lib = PluginJars.jar(tmp, tmp.resolve("not-shipped/missing.jar"),
                Map.of("lib.Missing", "package lib; public class Missing { public static String text() { return \"x\"; } }"),
                List.of(), null);
        // Compiled against a library it does not ship: its description() cannot link.
        PluginJars.jar(tmp, plugins.resolve("broken.jar"),
                Map.of("broken.F", PluginJars.factory("broken", "broken", "lib.Missing.text()")), List.of(lib), "broken.F");
        // Reaches into jvmm's internals, which it cannot see.
        PluginJars.jar(tmp, plugins.resolve("nosy.jar"),
                Map.of("nosy.F", PluginJars.factory("nosy", "nosy", "io.jvmm.vm.Vm.class.getName()")), List.of(), "nosy.F");
        PluginJars.jar(tmp, plugins.resolve("good.jar"),
                Map.of("good.F", PluginJars.factory("good", "good", "\"fine\"")), List.of(), "good.F");

        PluginRegistry registry = load(plugins);
        assertThat(registry.find("good")).isPresent();
        assertThat(registry.types()).contains("virtio-blk").doesNotContain("broken", "nosy");
        assertThat(registry.skipped()).hasSize(2);
        assertThat(registry.skipped()).anySatisfy(s -> assertThat(s).startsWith("broken.F: ").contains("lib/Missing"));
        assertThat(registry.skipped()).anySatisfy(s -> assertThat(s).startsWith("nosy.F: ").contains("io/jvmm/vm/Vm"));
    }
}
