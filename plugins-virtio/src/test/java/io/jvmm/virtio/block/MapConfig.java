package io.jvmm.virtio.block;

import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceConfigException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A {@link DeviceConfig} over a map that records which keys the factory asked for, as the VMM's does. */
public final class MapConfig implements DeviceConfig {
    private final String type;
    private final String id;
    private final Path dir;
    private final Map<String, Object> values;
    public final Set<String> asked = new HashSet<>();

    public MapConfig(String type, String id, Path dir, Map<String, Object> values) {
        this.type = type;
        this.id = id;
        this.dir = dir;
        this.values = values;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public String id() {
        return id;
    }

    private <T> Optional<T> get(String key, Class<T> kind) {
        asked.add(key);
        Object v = values.get(key);
        if (v != null && !kind.isInstance(v)) {
            throw new DeviceConfigException(key, "has the wrong type");
        }
        return Optional.ofNullable(kind.cast(v));
    }

    @Override
    public Optional<String> string(String key) {
        return get(key, String.class);
    }

    @Override
    public Optional<Long> integer(String key) {
        return get(key, Long.class);
    }

    @Override
    public Optional<Boolean> bool(String key) {
        return get(key, Boolean.class);
    }

    @Override
    public Optional<Long> size(String key) {
        return get(key, Long.class);
    }

    @Override
    public Optional<Path> path(String key) {
        return get(key, String.class).map(dir::resolve);
    }

    @Override
    public Set<String> keys() {
        return values.keySet();
    }

    @Override
    public String location() {
        return "test";
    }
}
