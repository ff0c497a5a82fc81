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
    void loadsPluginJarsFromADirectory() throws Exception {
        Path plugins = Files.createDirectory(tmp.resolve("plugins"));
        try (OutputStream out = Files.newOutputStream(plugins.resolve("good.jar"));
             JarOutputStream jar = new JarOutputStream(out)) {
            jar.putNextEntry(new JarEntry(SERVICES));
            jar.write((TestFactories.Good.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        Files.writeString(plugins.resolve("README.txt"), "not a jar");
        assertThat(PluginPath.jars(plugins)).containsExactly(plugins.resolve("good.jar"));

        ClassLoader base = getClass().getClassLoader();
        assertThat(PluginRegistry.load(base).find("test-good")).isEmpty();
        ClassLoader loader = PluginPath.classLoader(List.of(plugins), base);
        assertThat(PluginRegistry.load(loader).find("test-good")).isPresent();
    }

    @Test
    void aMissingPluginDirectoryIsAnError() {
        Path missing = tmp.resolve("nope");
        assertThatThrownBy(() -> PluginPath.classLoader(List.of(missing), getClass().getClassLoader()))
                .isInstanceOf(PluginException.class)
                .hasMessage("plugin directory not found: " + missing + " (from --plugin-dir or JVMM_PLUGIN_PATH)");
    }

    @Test
    void noPluginDirectoriesMeansTheParentLoader() throws Exception {
        ClassLoader base = getClass().getClassLoader();
        assertThat(PluginPath.classLoader(List.of(), base)).isSameAs(base);
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
