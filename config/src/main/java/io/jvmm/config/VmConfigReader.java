package io.jvmm.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns a parsed TOML document into a {@link VmConfig}, collecting every problem. */
final class VmConfigReader {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final String TABLES = "[vm], [boot], [serial] and [[device]]";

    private final ConfigSource source;
    private final List<ConfigError> errors = new ArrayList<>();

    private VmConfigReader(ConfigSource source) {
        this.source = source;
    }

    static VmConfig read(ConfigSource source, Map<String, Object> document) throws ConfigException {
        return new VmConfigReader(source).read(document);
    }

    /** The [[device]] tables alone; [vm], [boot] and [serial] may be there and are not read. */
    static List<DeviceSection> readDevices(ConfigSource source, Map<String, Object> document) throws ConfigException {
        VmConfigReader reader = new VmConfigReader(source);
        for (Map.Entry<String, Object> e : document.entrySet()) {
            reader.checkTopLevel(e.getKey(), e.getValue());
        }
        List<DeviceSection> devices = reader.readDevices(document.get("device"));
        if (!reader.errors.isEmpty()) {
            throw new ConfigException(reader.errors);
        }
        return devices;
    }

    private VmConfig read(Map<String, Object> document) throws ConfigException {
        for (Map.Entry<String, Object> e : document.entrySet()) {
            checkTopLevel(e.getKey(), e.getValue());
        }
        VmSection vm = readVm(table(document, "vm"));
        BootSection boot = readBoot(table(document, "boot"), document.containsKey("boot"));
        SerialSection serial = readSerial(table(document, "serial"));
        List<DeviceSection> devices = readDevices(document.get("device"));
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return new VmConfig(source.file(), vm, boot, serial, devices);
    }

    private void checkTopLevel(String key, Object value) {
        switch (key) {
            case "vm", "boot", "serial" -> {
                if (!(value instanceof Map)) {
                    errors.add(source.error(lineOf(key), key, key + " = " + Values.render(value)
                            + ": expected a [" + key + "] table"));
                }
            }
            case "device" -> {
                if (!(value instanceof List<?> list) || !list.stream().allMatch(Map.class::isInstance)) {
                    errors.add(source.error(lineOf(key), key, key + " = " + Values.render(value)
                            + ": expected [[device]] tables (one per device)"));
                }
            }
            default -> {
                if (value instanceof Map || value instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map) {
                    errors.add(source.error(source.lines().table(key), key,
                            "[" + key + "]: unknown table (known: " + TABLES + ")"));
                } else {
                    errors.add(source.error(source.lines().key("", key), key,
                            key + ": unknown key at the top level (keys go in one of " + TABLES + ")"));
                }
            }
        }
    }

    private int lineOf(String key) {
        int line = source.lines().table(key);
        return line > 0 ? line : source.lines().key("", key);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> table(Map<String, Object> document, String name) {
        return document.get(name) instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private VmSection readVm(Map<String, Object> values) {
        SectionReader r = new SectionReader(source, "vm", values, errors);
        String name = r.string("name", "expected a name in quotes").orElse(defaultName());
        long memory = r.get("memory", Values::size).orElse(VmSection.DEFAULT_MEMORY);
        if (memory < VmSection.MIN_MEMORY) {
            r.badValue("memory", "expected at least 64M");
            memory = VmSection.DEFAULT_MEMORY;
        } else if (memory > VmSection.MAX_MEMORY) {
            r.badValue("memory", "expected at most 1024G (1 TiB, what the guest's physical address layout is made for)");
            memory = VmSection.DEFAULT_MEMORY;
        } else if (memory % Sizes.MIB != 0) {
            r.badValue("memory", "expected a whole number of MiB, e.g. " + Math.max(64, memory / Sizes.MIB) + "M");
            memory = VmSection.DEFAULT_MEMORY;
        }
        long vcpus = r.get("vcpus", v -> Values.integerInRange(v, 1, VmSection.MAX_VCPUS)).orElse(1L);
        r.rejectUnknownKeys();
        return new VmSection(name, memory, (int) vcpus);
    }

    private String defaultName() {
        String file = String.valueOf(source.file().getFileName());
        return file.endsWith(".toml") && file.length() > 5 ? file.substring(0, file.length() - 5) : file;
    }

    private BootSection readBoot(Map<String, Object> values, boolean present) {
        SectionReader r = new SectionReader(source, "boot", values, errors);
        String kernelForm = "expected the path of a Linux kernel (bzImage or vmlinux) in quotes";
        Optional<Path> kernel = r.existingFile("kernel", kernelForm);
        if (!r.has("kernel")) {
            if (present) {
                r.missing("kernel", kernelForm);
            } else {
                errors.add(source.error(0, "boot.kernel",
                        "boot.kernel: missing (expected a [boot] table with kernel = \"path/to/vmlinuz\")"));
            }
        }
        Optional<Path> initramfs = r.existingFile("initramfs", "expected the path of an initramfs (cpio archive) in quotes");
        String cmdline = r.get("cmdline", Values::string).orElse(BootSection.DEFAULT_CMDLINE);
        r.rejectUnknownKeys();
        // Placeholder kernel path when invalid: the config is rejected anyway.
        return new BootSection(kernel.orElse(source.dir()), initramfs, cmdline);
    }

    private SerialSection readSerial(Map<String, Object> values) {
        SectionReader r = new SectionReader(source, "serial", values, errors);
        String modeForm = "expected \"stdio\", \"file\" or \"off\"";
        SerialSection.Mode mode = r.get("mode", v -> parseMode(v, modeForm)).orElse(SerialSection.Mode.STDIO);
        Optional<Path> path = r.string("path", "expected a file path in quotes").map(source::resolve);
        r.rejectUnknownKeys();
        if (mode != SerialSection.Mode.FILE) {
            if (path.isPresent()) {
                r.error("path", "serial.path: only used with mode = \"file\" (mode is \"" + mode.configName() + "\")");
            }
            return mode == SerialSection.Mode.OFF ? SerialSection.OFF : SerialSection.STDIO;
        }
        if (path.isEmpty()) {
            if (!r.has("path")) {
                r.error("mode", "serial.path: missing (mode = \"file\" needs path = \"serial.log\")");
            }
            return SerialSection.STDIO;
        }
        Path parent = path.get().getParent();
        if (Files.isDirectory(path.get())) {
            r.badValue("path", "is a directory (expected a file to write): " + path.get());
        } else if (parent != null && !Files.isDirectory(parent)) {
            r.badValue("path", "directory not found: " + parent);
        }
        return SerialSection.file(path.get());
    }

    private static SerialSection.Mode parseMode(Object value, String expected) throws Values.BadValue {
        for (SerialSection.Mode m : SerialSection.Mode.values()) {
            if (m.configName().equals(value)) {
                return m;
            }
        }
        throw new Values.BadValue(expected);
    }

    @SuppressWarnings("unchecked")
    private List<DeviceSection> readDevices(Object value) {
        if (!(value instanceof List<?> tables) || !tables.stream().allMatch(Map.class::isInstance)) {
            return List.of();
        }
        // First pass: type and explicit ids, so generated ids can avoid explicit ones.
        List<String> types = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        Map<String, Integer> owner = new HashMap<>();
        for (int i = 0; i < tables.size(); i++) {
            int index = i + 1;
            Map<String, Object> table = (Map<String, Object>) tables.get(i);
            types.add(deviceType(index, table));
            ids.add(explicitId(index, table, owner));
        }
        Set<String> used = new HashSet<>(owner.keySet());
        Map<String, Integer> perType = new HashMap<>();
        List<DeviceSection> devices = new ArrayList<>();
        for (int i = 0; i < tables.size(); i++) {
            String type = types.get(i);
            if (type == null) {
                continue;
            }
            String id = ids.get(i);
            if (id == null) {
                int n = perType.getOrDefault(type, 0);
                while (!used.add(type + n)) {
                    n++;
                }
                perType.put(type, n + 1);
                id = type + n;
            }
            devices.add(new DeviceSection(i + 1, type, id, (Map<String, Object>) tables.get(i), source));
        }
        return devices;
    }

    private String deviceType(int index, Map<String, Object> table) {
        String key = "device[" + index + "]";
        Object type = table.get("type");
        if (type == null) {
            errors.add(source.error(source.lines().arrayTable("device", index), key + ".type",
                    key + ": missing key 'type' (expected e.g. type = \"virtio-blk\"; see 'jvmm plugins')"));
            return null;
        }
        if (!(type instanceof String s) || s.isBlank()) {
            errors.add(source.error(source.lines().arrayKey("device", index, "type"), key + ".type",
                    key + ".type = " + Values.render(type) + ": expected a device type in quotes, e.g. \"virtio-blk\""));
            return null;
        }
        return s;
    }

    private String explicitId(int index, Map<String, Object> table, Map<String, Integer> owner) {
        String key = "device[" + index + "].id";
        Object id = table.get("id");
        if (id == null) {
            return null;
        }
        int line = source.lines().arrayKey("device", index, "id");
        if (!(id instanceof String s) || !ID.matcher(s).matches()) {
            errors.add(source.error(line, key, key + " = " + Values.render(id)
                    + ": expected a name of letters, digits, '-', '_' or '.' in quotes"));
            return null;
        }
        Integer first = owner.putIfAbsent(s, index);
        if (first != null) {
            errors.add(source.error(line, key, key + " = " + Values.render(s)
                    + ": duplicate id (device[" + first + "] has it too)"));
        }
        return s;
    }
}
