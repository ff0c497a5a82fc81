package io.jvmm.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.config.ConfigException;
import io.jvmm.config.ConfigLoader;
import io.jvmm.config.VmConfig;
import io.jvmm.examples.debugcon.DebugconFactory;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.spi.SpiVersion;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginRegistryTest {
    static final String SERVICES = "META-INF/services/" + DeviceFactory.class.getName();

    @TempDir
    Path tmp;

    /** A class loader that adds a services file listing {@code classNames} to the test class path. */
    private ClassLoader withServices(String... classNames) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "services");
        Path file = dir.resolve(SERVICES);
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", classNames) + "\n");
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
    }

    @Test
    void findsTheExamplePluginOnTheClassPath() throws Exception {
        PluginRegistry registry = PluginRegistry.load(getClass().getClassLoader());
        assertThat(registry.find("debugcon")).get().isInstanceOf(DebugconFactory.class);
        PluginInfo info = registry.all().stream().filter(p -> p.type().equals("debugcon")).findFirst().orElseThrow();
        assertThat(info.className()).isEqualTo(DebugconFactory.class.getName());
        assertThat(info.spiVersion()).isEqualTo(SpiVersion.CURRENT);
        assertThat(info.description()).contains("debug console");
        assertThat(info.jarLocation()).contains("debugcon");
        assertThat(registry.find("no-such-type")).isEmpty();
    }

    @Test
    void brokenProvidersAreSkippedAndNamedNotFatal() throws Exception {
        PluginRegistry registry = PluginRegistry.load(withServices(
                "io.jvmm.plugin.NoSuchFactory",
                TestFactories.Throwing.class.getName(),
                TestFactories.class.getName(), // not a DeviceFactory
                TestFactories.Good.class.getName(),
                TestFactories.TooNew.class.getName()));
        assertThat(registry.types()).contains("test-good", "debugcon").doesNotContain("test-too-new");
        assertThat(registry.skipped()).hasSize(4);
        assertThat(registry.skipped()).anySatisfy(s -> assertThat(s).contains("io.jvmm.plugin.NoSuchFactory"));
        assertThat(registry.skipped()).anySatisfy(s -> assertThat(s)
                .startsWith(TestFactories.Throwing.class.getName() + ": ").contains("boom in constructor"));
        assertThat(registry.skipped()).anySatisfy(s -> assertThat(s).contains(TestFactories.class.getName() + " not a subtype"));
        assertThat(registry.skipped()).anySatisfy(s -> assertThat(s)
                .startsWith(TestFactories.TooNew.class.getName() + ": compiled against SPI " + (SpiVersion.CURRENT + 1)
                        + ", newer than this jvmm's SPI " + SpiVersion.CURRENT)
                .contains("it needs a jvmm whose 'jvmm --version' shows SPI " + (SpiVersion.CURRENT + 1) + " or newer"));
    }

    @Test
    void twoPluginsForOneTypeAreAnErrorNamingBothClassesAndJars() throws Exception {
        ClassLoader loader = withServices(TestFactories.Good.class.getName(), TestFactories.Duplicate.class.getName());
        String classes = PluginRegistry.location(TestFactories.class);
        assertThatThrownBy(() -> PluginRegistry.load(loader))
                .isInstanceOf(PluginException.class)
                .hasMessageContaining("2 plugins for device type 'test-good'")
                .hasMessageContaining(TestFactories.Good.class.getName() + " (" + classes + ")")
                .hasMessageContaining(TestFactories.Duplicate.class.getName() + " (" + classes + ")")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void theSameProviderListedTwiceIsNotADuplicate() throws Exception {
        PluginRegistry registry = PluginRegistry.load(withServices(
                TestFactories.Good.class.getName(), TestFactories.Good.class.getName()));
        assertThat(registry.find("test-good")).isPresent();
    }

    @Test
    void loadsEachJarAndEachSubdirectoryOfJarsInAPluginDirectory() throws Exception {
        Path plugins = Files.createDirectory(tmp.resolve("plugins"));
        PluginJars.jar(tmp, plugins.resolve("one.jar"), Map.of("one.F", PluginJars.factory("one", "one", "\"1\"")),
                List.of(), "one.F");
        Path lib = PluginJars.jar(tmp, plugins.resolve("two/lib.jar"),
                Map.of("two.lib.Text", "package two.lib; public class Text { public static String of() { return \"2\"; } }"),
                List.of(), null);
        PluginJars.jar(tmp, plugins.resolve("two/plugin.jar"),
                Map.of("two.F", PluginJars.factory("two", "two", "two.lib.Text.of()")), List.of(lib), "two.F");
        Files.writeString(plugins.resolve("README.txt"), "not a jar");
        Files.createDirectory(plugins.resolve("empty"));
        assertThat(PluginPath.plugins(plugins)).containsExactly(List.of(plugins.resolve("one.jar")),
                List.of(plugins.resolve("two/lib.jar"), plugins.resolve("two/plugin.jar")));

        ClassLoader base = getClass().getClassLoader();
        assertThat(PluginRegistry.load(base).find("one")).isEmpty();
        PluginRegistry registry = PluginRegistry.load(PluginPath.classLoaders(List.of(plugins), base));
        assertThat(registry.find("one").orElseThrow().description()).isEqualTo("1");
        assertThat(registry.find("two").orElseThrow().description()).isEqualTo("2");
        assertThat(registry.find("virtio-blk")).isPresent();
    }

    @Test
    void aMissingPluginDirectoryIsAnError() {
        Path missing = tmp.resolve("nope");
        assertThatThrownBy(() -> PluginPath.classLoaders(List.of(missing), getClass().getClassLoader()))
                .isInstanceOf(PluginException.class)
                .hasMessage("plugin directory not found: " + missing + " (from --plugin-dir or JVMM_PLUGIN_PATH)");
    }

    @Test
    void noPluginDirectoriesMeansJvmmsOwnLoaderOnly() throws Exception {
        ClassLoader base = getClass().getClassLoader();
        assertThat(PluginPath.classLoaders(List.of(), base)).containsExactly(base);
    }

    @Test
    void pluginPathEnvironmentIsAColonSeparatedList() {
        assertThat(PluginPath.fromEnv("/a:/b::/c/")).containsExactly(Path.of("/a"), Path.of("/b"), Path.of("/c"));
        assertThat(PluginPath.fromEnv(null)).isEmpty();
        assertThat(PluginPath.fromEnv("")).isEmpty();
    }

    @Test
    void anUnknownDeviceTypeListsTheKnownTypes() throws Exception {
        VmConfig config = config("[[device]]\ntype = \"debugcn\"\n");
        PluginRegistry registry = PluginRegistry.load(getClass().getClassLoader());
        String known = String.join(", ", registry.types());
        assertThatThrownBy(() -> registry.factoryFor(config.devices().get(0)))
                .isInstanceOf(ConfigException.class)
                .hasMessage(tmp.resolve("vm.toml") + ":4: device[1].type = \"debugcn\": no plugin for this device type (known: "
                        + known + ")");
        assertThat(known).contains("debugcon");
    }

    VmConfig config(String devices) throws Exception {
        Files.writeString(tmp.resolve("vmlinuz"), "k");
        Path file = tmp.resolve("vm.toml");
        Files.writeString(file, "[boot]\nkernel = \"vmlinuz\"\n" + devices);
        return ConfigLoader.load(file);
    }
}
