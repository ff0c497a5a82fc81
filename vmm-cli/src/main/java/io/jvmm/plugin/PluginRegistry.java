package io.jvmm.plugin;

import io.jvmm.config.ConfigError;
import io.jvmm.config.ConfigException;
import io.jvmm.config.DeviceSection;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.spi.SpiVersion;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Spliterator;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device plugins found with {@link ServiceLoader}, keyed by device type.
 *
 * <p>A provider that cannot be loaded (missing class, constructor throwing, missing
 * dependency) or that needs a newer SPI than {@link SpiVersion#CURRENT} is logged and
 * skipped: one broken plugin never stops the VMM. Two plugins claiming the same type is an
 * error at start-up, since either choice would be a guess.
 */
public final class PluginRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(PluginRegistry.class);

    private final Map<String, DeviceFactory> factories;
    private final List<String> skipped;

    private PluginRegistry(Map<String, DeviceFactory> factories, List<String> skipped) {
        this.factories = Collections.unmodifiableMap(factories);
        this.skipped = List.copyOf(skipped);
    }

    /** Loads the providers visible to {@code loader}. */
    public static PluginRegistry load(ClassLoader loader) throws PluginException {
        return load(List.of(loader));
    }

    /**
     * Loads the providers visible to each of {@code loaders} (see {@link PluginPath#classLoaders}).
     *
     * @throws PluginException when two plugins claim the same device type; the message names
     *         both classes and their jars
     */
    public static PluginRegistry load(List<ClassLoader> loaders) throws PluginException {
        Map<String, List<DeviceFactory>> byType = new TreeMap<>();
        List<String> skipped = new ArrayList<>();
        for (ClassLoader loader : loaders) {
            Spliterator<ServiceLoader.Provider<DeviceFactory>> providers =
                    ServiceLoader.load(DeviceFactory.class, loader).stream().spliterator();
            // The lookup recovers after a bad services entry (ServiceLoader docs: "best effort"),
            // so keep advancing; the bound only guards against a lookup that never moves on.
            for (int errors = 0; errors < 1000; ) {
                try {
                    if (!providers.tryAdvance(p -> add(p, byType, skipped))) {
                        break;
                    }
                } catch (ServiceConfigurationError e) {
                    errors++;
                    skip(skipped, "unknown class", describe(e));
                }
            }
        }
        List<String> clashes = new ArrayList<>();
        Map<String, DeviceFactory> factories = new TreeMap<>();
        byType.forEach((type, list) -> {
            if (list.size() > 1) {
                clashes.add(clash(type, list));
            } else {
                factories.put(type, list.get(0));
            }
        });
        if (!clashes.isEmpty()) {
            throw new PluginException(String.join("; ", clashes)
                    + " (remove one of them from the class path or plugin directory)");
        }
        return new PluginRegistry(factories, skipped);
    }

    private static String clash(String type, List<DeviceFactory> list) {
        List<String> names = new ArrayList<>();
        for (DeviceFactory f : list) {
            names.add(f.getClass().getName() + " (" + location(f.getClass()) + ")");
        }
        return list.size() + " plugins for device type '" + type + "': " + String.join(" and ", names);
    }

    private static void add(ServiceLoader.Provider<DeviceFactory> provider, Map<String, List<DeviceFactory>> byType,
                            List<String> skipped) {
        String className;
        DeviceFactory factory;
        String type;
        int spiVersion;
        try {
            className = provider.type().getName();
        } catch (ServiceConfigurationError | LinkageError e) {
            skip(skipped, "unknown class", describe(e));
            return;
        }
        try {
            factory = provider.get();
            type = factory.type();
            spiVersion = spiVersionOf(factory);
            factory.description();
        } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
            skip(skipped, className, describe(e));
            return;
        }
        if (type == null || type.isBlank()) {
            skip(skipped, className, "its type() is empty");
            return;
        }
        if (spiVersion > SpiVersion.CURRENT || spiVersion < SpiVersion.OLDEST_SUPPORTED) {
            skip(skipped, className, versionRefusal(spiVersion));
            return;
        }
        List<DeviceFactory> list = byType.computeIfAbsent(type, t -> new ArrayList<>());
        Class<?> factoryClass = factory.getClass();
        if (list.stream().noneMatch(f -> f.getClass() == factoryClass)) {
            list.add(factory);
        }
    }

    /**
     * The SPI version {@code factory} was compiled against. A factory built against SPI 1 did
     * not implement {@code spiVersion()} (it had a default body then), so calling it fails to
     * link: that is version 1 (see {@link SpiVersion}).
     */
    static int spiVersionOf(DeviceFactory factory) {
        try {
            return factory.spiVersion();
        } catch (AbstractMethodError e) {
            return 1;
        }
    }

    static String versionRefusal(int spiVersion) {
        if (spiVersion > SpiVersion.CURRENT) {
            return "compiled against SPI " + spiVersion + ", newer than this jvmm's SPI " + SpiVersion.CURRENT
                    + ": it needs a jvmm whose 'jvmm --version' shows SPI " + spiVersion
                    + " or newer (or use a build of the plugin for SPI " + SpiVersion.CURRENT + ")";
        }
        return "reports SPI " + spiVersion + ", which is no SPI version (this jvmm loads plugins for SPI "
                + SpiVersion.OLDEST_SUPPORTED + " to " + SpiVersion.CURRENT + ")";
    }

    private static void skip(List<String> skipped, String className, String reason) {
        String line = className + ": " + reason;
        LOG.warn("skipping device plugin {}", line);
        skipped.add(line);
    }

    private static String describe(Throwable e) {
        Throwable cause = e.getCause() != null && e instanceof ServiceConfigurationError ? e.getCause() : e;
        String message = cause == e ? e.getMessage() : e.getMessage() + ": " + cause;
        LOG.debug("plugin load failure", e);
        return String.valueOf(message).replaceAll("[\r\n]+", " ");
    }

    /** The factory for {@code type}; empty when no plugin handles it. */
    public Optional<DeviceFactory> find(String type) {
        return Optional.ofNullable(factories.get(type));
    }

    /**
     * The factory for a device table, or a config error placed at its {@code type} line
     * that lists the known types.
     */
    public DeviceFactory factoryFor(DeviceSection device) throws ConfigException {
        return find(device.type()).orElseThrow(() -> new ConfigException(unknownType(device)));
    }

    ConfigError unknownType(DeviceSection device) {
        String key = device.key() + ".type";
        String known = factories.isEmpty() ? "no device plugins are installed" : "known: " + String.join(", ", factories.keySet());
        return device.source().error(device.line("type"), key,
                key + " = \"" + device.type() + "\": no plugin for this device type (" + known + ")");
    }

    /** The known device types, sorted. */
    public List<String> types() {
        return List.copyOf(factories.keySet());
    }

    /** Every usable plugin, sorted by type. */
    public List<PluginInfo> all() {
        List<PluginInfo> infos = new ArrayList<>();
        for (DeviceFactory f : factories.values()) {
            infos.add(info(f));
        }
        return infos;
    }

    /** The providers that were skipped, one line each: {@code class: reason}. */
    public List<String> skipped() {
        return skipped;
    }

    static PluginInfo info(DeviceFactory f) {
        return new PluginInfo(f.type(), f.description(), spiVersionOf(f), f.getClass().getName(), location(f.getClass()));
    }

    static String location(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        URL url = source != null ? source.getLocation() : null;
        if (url == null) {
            return "unknown";
        }
        try {
            return Path.of(url.toURI()).toString();
        } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return url.toString();
        }
    }
}
