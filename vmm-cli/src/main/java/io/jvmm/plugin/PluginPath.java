package io.jvmm.plugin;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Extra plugin jars: every {@code *.jar} in the directories given with {@code --plugin-dir}
 * and in {@link #ENV} (a {@code :}-separated list, like {@code PATH}). The jars get one
 * class loader whose parent is the VMM's, so they see the SPI classes the VMM uses.
 */
public final class PluginPath {
    /** Environment variable naming extra plugin directories. */
    public static final String ENV = "JVMM_PLUGIN_PATH";

    private PluginPath() {
    }

    /** The directories in a {@link #ENV} value; empty entries are ignored. */
    public static List<Path> fromEnv(String value) {
        List<Path> dirs = new ArrayList<>();
        if (value != null) {
            for (String part : value.split(":")) {
                if (!part.isBlank()) {
                    dirs.add(Path.of(part));
                }
            }
        }
        return dirs;
    }

    /**
     * A class loader over the jars in {@code dirs}, or {@code parent} itself when there are
     * no directories.
     *
     * @throws PluginException when a directory does not exist or cannot be listed
     */
    public static ClassLoader classLoader(List<Path> dirs, ClassLoader parent) throws PluginException {
        if (dirs.isEmpty()) {
            return parent;
        }
        List<URL> urls = new ArrayList<>();
        for (Path dir : dirs) {
            for (Path jar : jars(dir)) {
                try {
                    urls.add(jar.toUri().toURL());
                } catch (MalformedURLException e) {
                    throw new PluginException("plugin jar " + jar + ": " + e.getMessage());
                }
            }
        }
        return new URLClassLoader("jvmm-plugins", urls.toArray(URL[]::new), parent);
    }

    /** The {@code *.jar} files in {@code dir}, sorted by name so load order does not depend on the file system. */
    static List<Path> jars(Path dir) throws PluginException {
        if (!Files.isDirectory(dir)) {
            throw new PluginException("plugin directory not found: " + dir
                    + " (from --plugin-dir or " + ENV + ")");
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new PluginException("cannot list plugin directory " + dir + ": " + e.getMessage());
        }
    }
}
