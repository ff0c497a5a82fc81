package io.jvmm.plugin;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Extra plugins from the directories given with {@code --plugin-dir} and in {@link #ENV} (a
 * {@code :}-separated list, like {@code PATH}). In such a directory each {@code *.jar} is one
 * plugin, and each subdirectory holding jars is one plugin with its libraries. Every plugin
 * gets its own class loader over its jars, whose parent ({@link PluginApiLoader}) shows only
 * the JDK and the plugin API: plugins see neither jvmm's internals nor each other.
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
     * The class loaders to look for plugins in: {@code jvmm} itself first (the built-in
     * plugins and anything on its class path), then one isolated loader per plugin found in
     * {@code dirs}.
     *
     * @throws PluginException when a directory does not exist or cannot be listed
     */
    public static List<ClassLoader> classLoaders(List<Path> dirs, ClassLoader jvmm) throws PluginException {
        List<ClassLoader> loaders = new ArrayList<>();
        loaders.add(jvmm);
        PluginApiLoader api = new PluginApiLoader(jvmm);
        for (Path dir : dirs) {
            for (List<Path> plugin : plugins(dir)) {
                List<URL> urls = new ArrayList<>();
                for (Path jar : plugin) {
                    try {
                        urls.add(jar.toUri().toURL());
                    } catch (MalformedURLException e) {
                        throw new PluginException("plugin jar " + jar + ": " + e.getMessage());
                    }
                }
                String name = "jvmm-plugin:" + (plugin.size() == 1 ? plugin.get(0) : plugin.get(0).getParent());
                loaders.add(new PluginClassLoader(name, urls.toArray(URL[]::new), api));
            }
        }
        return loaders;
    }

    /** The plugins in {@code dir}: each top-level jar alone, and each subdirectory's jars together. */
    static List<List<Path>> plugins(Path dir) throws PluginException {
        List<List<Path>> plugins = new ArrayList<>();
        for (Path jar : jars(dir)) {
            plugins.add(List.of(jar));
        }
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path sub : entries.filter(Files::isDirectory).sorted().toList()) {
                List<Path> jars = jars(sub);
                if (!jars.isEmpty()) {
                    plugins.add(jars);
                }
            }
        } catch (IOException e) {
            throw new PluginException("cannot list plugin directory " + dir + ": " + e.getMessage());
        }
        return plugins;
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
