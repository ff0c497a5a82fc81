package io.jvmm.vm;

import io.jvmm.config.DeviceSection;
import io.jvmm.config.SerialSection;
import io.jvmm.config.VmConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A host resource a VM config names: a file, socket, tap or host PCI device, by the config key
 * that names it. The keys of the devices jvmm ships are known here; for a third-party plugin's
 * type every key is listed as it is written, since only the plugin knows which name host files.
 *
 * @param key      the config key, e.g. {@code boot.kernel} or {@code device[1].path}
 * @param owner    what it belongs to: {@code boot}, {@code serial}, {@code virtio-blk 'vda'}
 * @param kind     what it is and how restore uses it
 * @param value    the absolute path, or the name (tap, PCI address, a plugin's value)
 * @param readOnly for a disk: the guest cannot write it
 */
public record HostResource(String key, String owner, Kind kind, String value, boolean readOnly) {
    /** How restore uses a resource, which decides what a change since the snapshot means. */
    public enum Use {
        /** Checked to exist but not read: guest memory already holds it (the kernel, the initramfs). */
        NOT_OPENED,
        /** Read by the guest: it must be the very file the snapshot recorded. */
        INPUT,
        /** Created or written by jvmm: it must be the path the snapshot recorded. */
        OUTPUT,
        /** A name, not a file (a tap, a PCI address, a plugin's value). */
        NAME
    }

    public enum Kind {
        KERNEL("kernel", Use.NOT_OPENED),
        INITRAMFS("initramfs", Use.NOT_OPENED),
        SERIAL_FILE("serial output file", Use.OUTPUT),
        DISK("disk image", Use.INPUT),
        ENTROPY("entropy source", Use.INPUT),
        CONSOLE_FILE("console output file", Use.OUTPUT),
        CONSOLE_SOCKET("console socket", Use.OUTPUT),
        OUTPUT_FILE("output file", Use.OUTPUT),
        TAP("tap", Use.NAME),
        VFIO("VFIO host PCI device", Use.NAME),
        PLUGIN_VALUE("plugin setting", Use.NAME);

        private final String label;
        private final Use use;

        Kind(String label, Use use) {
            this.label = label;
            this.use = use;
        }

        public String label() {
            return label;
        }

        public Use use() {
            return use;
        }
    }

    /** Whether {@link #value} is a host path. */
    public boolean isPath() {
        return kind.use() != Use.NAME;
    }

    /** The host resources {@code config} names, in config order. */
    public static List<HostResource> of(VmConfig config) {
        List<HostResource> out = new ArrayList<>();
        out.add(new HostResource("boot.kernel", "boot", Kind.KERNEL, config.boot().kernel().toString(), true));
        config.boot().initramfs().ifPresent(p ->
                out.add(new HostResource("boot.initramfs", "boot", Kind.INITRAMFS, p.toString(), true)));
        if (config.serial().mode() == SerialSection.Mode.FILE) {
            out.add(new HostResource("serial.path", "serial", Kind.SERIAL_FILE,
                    config.serial().path().orElseThrow().toString(), false));
        }
        for (DeviceSection d : config.devices()) {
            String owner = d.type() + " '" + d.id() + "'";
            Map<String, Object> v = d.values();
            switch (d.type()) {
                case "virtio-blk" -> path(d, "path").ifPresent(p -> out.add(new HostResource(d.key() + ".path", owner,
                        Kind.DISK, p, Boolean.TRUE.equals(v.get("readonly")))));
                case "virtio-rng" -> out.add(new HostResource(d.key() + ".source", owner, Kind.ENTROPY,
                        path(d, "source").orElse("/dev/urandom"), true));
                case "virtio-console" -> {
                    Object output = v.getOrDefault("output", "stdio");
                    Kind kind = "socket".equals(output) ? Kind.CONSOLE_SOCKET : Kind.CONSOLE_FILE;
                    path(d, "path").ifPresent(p -> out.add(new HostResource(d.key() + ".path", owner, kind, p, false)));
                }
                case "debugcon" -> path(d, "path").ifPresent(p ->
                        out.add(new HostResource(d.key() + ".path", owner, Kind.OUTPUT_FILE, p, false)));
                case "virtio-net" -> name(d, "tap").ifPresent(n ->
                        out.add(new HostResource(d.key() + ".tap", owner, Kind.TAP, n, false)));
                case "vfio" -> name(d, "host").ifPresent(n ->
                        out.add(new HostResource(d.key() + ".host", owner, Kind.VFIO, n, false)));
                default -> v.forEach((key, value) -> {
                    if (!key.equals("type") && !key.equals("id")) {
                        out.add(new HostResource(d.key() + "." + key, owner, Kind.PLUGIN_VALUE, String.valueOf(value),
                                false));
                    }
                });
            }
        }
        return out;
    }

    /** A path key resolved as the plugin resolves it ({@code TomlDeviceConfig#path}). */
    private static Optional<String> path(DeviceSection d, String key) {
        return name(d, key).filter(s -> !s.isEmpty()).map(s -> d.source().resolve(s).toString());
    }

    private static Optional<String> name(DeviceSection d, String key) {
        return d.values().get(key) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /** The absolute path, for resources that are files. */
    public Path path() {
        return Path.of(value);
    }
}
