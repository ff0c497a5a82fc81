package io.jvmm.spi;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * A device's {@code [[device]]} table from the VM config. Every getter records the key as
 * known: after {@link DeviceFactory#create} returns, the VMM rejects the config if the table
 * holds a key the factory never asked for (so a typo is an error, not silently ignored).
 *
 * <p>Getters throw {@link DeviceConfigException} naming the key and the expected form when
 * a value has the wrong type.
 */
public interface DeviceConfig {
    /** The value of {@code type}. */
    String type();

    /** The device id: the {@code id} key, or one the VMM made up (e.g. {@code virtio-blk0}). */
    String id();

    Optional<String> string(String key);

    Optional<Long> integer(String key);

    Optional<Boolean> bool(String key);

    /** A size such as {@code 512M}, {@code "4K"} or a plain integer number of bytes. */
    Optional<Long> size(String key);

    /** A path, resolved against the config file's directory when relative. */
    Optional<Path> path(String key);

    default String requireString(String key) {
        return string(key).orElseThrow(() -> new DeviceConfigException(key, "is required (a string)"));
    }

    default Path requirePath(String key) {
        return path(key).orElseThrow(() -> new DeviceConfigException(key, "is required (a file path)"));
    }

    /** All keys present in the table. */
    Set<String> keys();

    /** Where this table is, for messages: {@code vm.toml, [[device]] #2 (line 14)}. */
    String location();
}
