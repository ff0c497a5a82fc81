package io.jvmm.plugin;

import java.net.URL;
import java.net.URLClassLoader;

/**
 * One plugin's class loader: its own jars over {@link PluginApiLoader}. A class that is in
 * neither gets a message saying what a plugin can see, since the usual cause is a plugin
 * that uses a jvmm internal or forgot to ship a library.
 */
final class PluginClassLoader extends URLClassLoader {
    PluginClassLoader(String name, URL[] jars, PluginApiLoader api) {
        super(name, jars, api);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        try {
            return super.findClass(name);
        } catch (ClassNotFoundException e) {
            throw new ClassNotFoundException(name + " (a plugin sees only its own jars, the JDK and "
                    + PluginApiLoader.describeExports() + ")");
        }
    }
}
