package io.jvmm.plugin;

import java.util.List;

/**
 * The parent of every plugin's class loader: the JDK, plus only the packages jvmm supports
 * as a plugin API. A plugin therefore cannot reach jvmm's internals ({@code io.jvmm.vm},
 * {@code io.jvmm.kvm}, ...), the built-in plugins, or jvmm's own libraries, and may bundle
 * another version of any library jvmm uses (the model of Trino's plugin loader).
 *
 * <p>Exported: the SPI, SLF4J and the virtio API packages. Resources come from the JDK only, so a plugin's {@code ServiceLoader} finds its own
 * providers and not jvmm's built-in ones.
 */
final class PluginApiLoader extends ClassLoader {
    /**
     * Package prefixes a plugin sees from jvmm. SLF4J is shared because the SPI's own types
     * log through it and one binding must serve all plugins ({@code --log-level} reaches them).
     */
    static final List<String> EXPORTED_PACKAGES = List.of("io.jvmm.spi.", "org.slf4j.");

    /**
     * Whole packages a plugin sees: the virtio API (jvmm-virtio-api), so a third-party virtio
     * device uses the same transport and queues as jvmm's own, but not jvmm's virtio devices
     * ({@code io.jvmm.virtio.block} and the others stay hidden).
     */
    static final List<String> EXPORTED_EXACT_PACKAGES = List.of("io.jvmm.virtio", "io.jvmm.virtio.queue",
            "io.jvmm.virtio.pci");

    private final ClassLoader jvmm;

    PluginApiLoader(ClassLoader jvmm) {
        super("jvmm-plugin-api", ClassLoader.getPlatformClassLoader());
        this.jvmm = jvmm;
    }

    static boolean exported(String className) {
        int dot = className.lastIndexOf('.');
        String pkg = dot < 0 ? "" : className.substring(0, dot);
        return EXPORTED_PACKAGES.stream().anyMatch(className::startsWith) || EXPORTED_EXACT_PACKAGES.contains(pkg);
    }

    /** What a plugin sees, for messages. */
    static String describeExports() {
        return String.join(", ", EXPORTED_PACKAGES.stream().map(p -> p + "*").toList()) + ", "
                + String.join(", ", EXPORTED_EXACT_PACKAGES);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (exported(name)) {
            return jvmm.loadClass(name);
        }
        throw new ClassNotFoundException(name);
    }
}
