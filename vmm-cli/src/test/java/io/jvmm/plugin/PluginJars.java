package io.jvmm.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

/** Builds real plugin and library jars from Java source at test time, as an outside author would. */
final class PluginJars {
    private PluginJars() {
    }

    /**
     * Compiles {@code sources} (class name to source) against {@code classPath} plus the test
     * class path, and jars the classes with {@code services} as the DeviceFactory services file
     * (none when null).
     */
    static Path jar(Path work, Path jar, Map<String, String> sources, List<Path> classPath, String services)
            throws IOException {
        Path src = Files.createTempDirectory(work, "src");
        Path classes = Files.createTempDirectory(work, "classes");
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp",
                String.join(java.io.File.pathSeparator, Stream.concat(classPath.stream().map(Path::toString),
                        Stream.of(System.getProperty("java.class.path"))).toList())));
        for (var e : sources.entrySet()) {
            Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            args.add(file.toString());
        }
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new))).isZero();
        Files.createDirectories(jar.getParent());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                j.putNextEntry(new JarEntry(classes.relativize(f).toString()));
                j.write(Files.readAllBytes(f));
                j.closeEntry();
            }
            if (services != null) {
                j.putNextEntry(new JarEntry(PluginRegistryTest.SERVICES));
                j.write((services + "\n").getBytes(StandardCharsets.UTF_8));
                j.closeEntry();
            }
        }
        return jar;
    }

    /** The source of a factory {@code pkg.F} of type {@code type} whose description is {@code descriptionExpr}. */
    static String factory(String pkg, String type, String descriptionExpr) {
        return """
                package %s;
                import io.jvmm.spi.*;
                public class F implements DeviceFactory {
                    public String type() { return "%s"; }
                    public String description() { return %s; }
                    public int spiVersion() { return SpiVersion.CURRENT; }
                    public Device create(DeviceConfig config, DeviceContext context) { throw new UnsupportedOperationException(); }
                }
                """.formatted(pkg, type, descriptionExpr);
    }
}
