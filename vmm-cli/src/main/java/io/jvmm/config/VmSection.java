package io.jvmm.config;

import java.util.Objects;

/**
 * The [vm] table.
 *
 * @param name        a name for messages and logs; defaults to the config file's name
 * @param memoryBytes guest RAM in bytes: a whole number of MiB, at least {@link #MIN_MEMORY}
 * @param vcpus       number of vCPUs, 1 to {@link #MAX_VCPUS}
 */
public record VmSection(String name, long memoryBytes, int vcpus) {
    public static final long MIN_MEMORY = 64 * Sizes.MIB;
    public static final long DEFAULT_MEMORY = 512 * Sizes.MIB;
    /**
     * 8-bit APIC ids (0xff is broadcast) and the IOAPIC's own id leave 254 for CPUs in the
     * MADT's Processor Local APIC entries (io.jvmm.acpi.AcpiTables.MAX_VCPUS).
     */
    public static final int MAX_VCPUS = 254;

    public VmSection {
        Objects.requireNonNull(name, "name");
        if (memoryBytes < MIN_MEMORY || memoryBytes % Sizes.MIB != 0) {
            throw new IllegalArgumentException("memory must be a whole number of MiB, at least 64M: " + memoryBytes);
        }
        if (vcpus < 1 || vcpus > MAX_VCPUS) {
            throw new IllegalArgumentException("vcpus out of range: " + vcpus);
        }
    }

    public long memoryMiB() {
        return memoryBytes / Sizes.MIB;
    }
}
