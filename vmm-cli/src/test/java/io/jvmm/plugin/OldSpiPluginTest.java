package io.jvmm.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin compiled against SPI 1, whose {@code DeviceFactory.spiVersion()} had a default
 * body, does not implement the method. It must still load, as version 1: the compatibility
 * rule in {@link io.jvmm.spi.SpiVersion} promises that. The plugin is really compiled here,
 * against SPI 1's interface, and run against today's.
 */
class OldSpiPluginTest {
    private static final String SPI_1_FACTORY = """
            package io.jvmm.spi;
            public interface DeviceFactory {
                String type();
                String description();
                default int spiVersion() { return 1; }
                Device create(DeviceConfig config, DeviceContext context) throws DeviceException;
            }
            """;
    private static final String OLD_PLUGIN = """
            package old;
            import io.jvmm.spi.*;
            public class OldFactory implements DeviceFactory {
                public String type() { return "old-spi"; }
                public String description() { return "built against SPI 1"; }
                public Device create(DeviceConfig config, DeviceContext context) { throw new UnsupportedOperationException(); }
            }
            """;

    @TempDir
    Path tmp;

    @Test
    void aPluginCompiledAgainstSpiOneLoadsAsVersionOne() throws Exception {
        Path src = tmp.resolve("src");
        Path spi = Files.createDirectories(src.resolve("io/jvmm/spi")).resolve("DeviceFactory.java");
        Path plugin = Files.createDirectories(src.resolve("old")).resolve("OldFactory.java");
        Files.writeString(spi, SPI_1_FACTORY);
        Files.writeString(plugin, OLD_PLUGIN);
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                spi.toString(), plugin.toString());
        assertThat(rc).isZero();
        // Ship only the plugin: at run time it links against today's SPI, as in a real upgrade.
        Files.delete(classes.resolve("io/jvmm/spi/DeviceFactory.class"));
        Path services = classes.resolve(PluginRegistryTest.SERVICES);
        Files.createDirectories(services.getParent());
        Files.writeString(services, "old.OldFactory\n");

        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            PluginRegistry registry = PluginRegistry.load(loader);
            assertThat(registry.skipped()).isEmpty();
            PluginInfo info = registry.all().stream().filter(p -> p.type().equals("old-spi")).findFirst().orElseThrow();
            assertThat(info.spiVersion()).isEqualTo(1);
        }
    }

    @Test
    void aSpiVersionBelowOneIsRefusedAsNoVersion() {
        assertThat(PluginRegistry.versionRefusal(0)).contains("reports SPI 0, which is no SPI version");
    }
}
