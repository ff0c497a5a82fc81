package io.jvmm.plugin;

import java.util.List;

/**
 * The parent of every plugin's class loader: the JDK, plus only the packages jvmm supports
 * as a plugin API. A plugin therefore cannot reach jvmm's internals ({@code io.jvmm.vm},
 * {@code io.jvmm.kvm}, ...), the built-in plugins, or jvmm's own libraries, and may bundle
 * another version of any library jvmm uses (the model of Trino's plugin loader).
 *
 * <p>Resources come from the JDK only, so a plugin's {@code ServiceLoader} finds its own
 * providers and not jvmm's built-in ones.
 */
final class PluginApiLoader extends ClassLoader {
    /**
     * Package prefixes a plugin sees from jvmm. SLF4J is shared because the SPI's own types
     * log through it and one binding must serve all plugins ({@code --log-level} reaches them).
     */
    static final List<String> EXPORTED_PACKAGES = List.of("io.jvmm.spi.", "org.slf4j.");

    private final ClassLoader jvmm;

    PluginApiLoader(ClassLoader jvmm) {
        super("jvmm-plugin-api", ClassLoader.getPlatformClassLoader());
        this.jvmm = jvmm;
    }

    static boolean exported(String className) {
        return EXPORTED_PACKAGES.stream().anyMatch(className::startsWith);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (exported(name)) {
            return jvmm.loadClass(name);
        }
        throw new ClassNotFoundException(name);
    }
}
