package io.jvmm.cli;

import io.jvmm.plugin.PluginException;
import io.jvmm.plugin.PluginPath;
import io.jvmm.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every subcommand takes: logging and where to find extra plugins. */
public final class CommonOptions {
    private LogLevel logLevel = LogLevel.WARN;

    @Option(names = "--plugin-dir", paramLabel = "DIR",
            description = "Also load device plugins from DIR (repeatable): each *.jar in it is a plugin, and so is "
                    + "each subdirectory of jars (a plugin with its libraries); each gets its own class loader. "
                    + "Directories in $" + PluginPath.ENV + " (':'-separated) are added too.")
    private List<Path> pluginDirs = new ArrayList<>();

    @Option(names = "--log-level", paramLabel = "LEVEL",
            description = "Log level on stderr: error, warn (default), info, debug, trace. "
                    + "debug also prints stack traces of errors.")
    void setLogLevel(LogLevel level) {
        logLevel = level;
        logLevel.apply();
    }

    public LogLevel logLevel() {
        return logLevel;
    }

    /** The plugins on the class path plus those in the plugin directories. */
    public PluginRegistry loadPlugins() throws PluginException {
        List<Path> dirs = new ArrayList<>(pluginDirs);
        dirs.addAll(PluginPath.fromEnv(System.getenv(PluginPath.ENV)));
        return PluginRegistry.load(PluginPath.classLoaders(dirs, CommonOptions.class.getClassLoader()));
    }
}
