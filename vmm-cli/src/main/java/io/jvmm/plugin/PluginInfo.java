package io.jvmm.plugin;

/**
 * What {@code jvmm plugins} shows about one loaded device plugin.
 *
 * @param type        the config {@code type} it handles
 * @param description one line from the plugin
 * @param spiVersion  the SPI version it was written against
 * @param className   the factory class
 * @param jarLocation the jar (or class directory) it was loaded from, or "unknown"
 */
public record PluginInfo(String type, String description, int spiVersion, String className, String jarLocation) {
}
