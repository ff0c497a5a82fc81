package io.jvmm.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code --log-level} sets slf4j-simple's level, so it reaches only code that logs through
 * SLF4J. A class that logs through {@code System.Logger} (java.util.logging underneath) or
 * java.util.logging directly would escape it; this finds any such class in jvmm's own jars.
 */
class OneLoggingApiTest {
    private static final List<String> OTHER_LOGGING_APIS = List.of("java/lang/System$Logger", "java/util/logging/");

    @Test
    void everyJvmmModuleLogsThroughSlf4jSoLogLevelReachesIt() throws Exception {
        List<String> offenders = new ArrayList<>();
        for (Class<?> anchor : List.of(io.jvmm.cli.JvmmCommand.class, io.jvmm.spi.DeviceFactory.class,
                Class.forName("io.jvmm.virtio.pci.VirtioTransport"), Class.forName("io.jvmm.virtio.block.VirtioBlock"),
                Class.forName("io.jvmm.vfio.VfioPciDevice"))) {
            for (ClassBytes c : classesBeside(anchor)) {
                String constants = new String(c.bytes(), StandardCharsets.ISO_8859_1);
                OTHER_LOGGING_APIS.stream().filter(constants::contains).forEach(api -> offenders.add(c.name() + " uses " + api));
            }
        }
        assertThat(offenders).isEmpty();
    }

    @Test
    void theScanSeesAClassThatUsesSystemLogger() throws Exception {
        // The scan must be able to fail: this test class's own nested helper names System.Logger.
        boolean seen = classesBeside(OneLoggingApiTest.class).stream()
                .filter(c -> c.name().endsWith("OneLoggingApiTest$UsesSystemLogger.class"))
                .anyMatch(c -> new String(c.bytes(), StandardCharsets.ISO_8859_1).contains("java/lang/System$Logger"));
        assertThat(seen).isTrue();
    }

    @SuppressWarnings("unused")
    private static final class UsesSystemLogger {
        private static final System.Logger LOG = System.getLogger("x");
    }

    private record ClassBytes(String name, byte[] bytes) {
    }

    /** Every class file in the directory or jar that {@code anchor} was loaded from. */
    private static List<ClassBytes> classesBeside(Class<?> anchor) throws IOException, URISyntaxException {
        Path where = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<ClassBytes> out = new ArrayList<>();
        if (Files.isDirectory(where)) {
            try (Stream<Path> files = Files.walk(where)) {
                for (Path p : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    out.add(new ClassBytes(where.relativize(p).toString(), Files.readAllBytes(p)));
                }
            }
        } else {
            try (JarFile jar = new JarFile(where.toFile())) {
                for (var e : jar.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
                    try (InputStream in = jar.getInputStream(e)) {
                        out.add(new ClassBytes(e.getName(), in.readAllBytes()));
                    }
                }
            }
        }
        assertThat(out).as("classes beside " + anchor).isNotEmpty();
        return out;
    }
}
