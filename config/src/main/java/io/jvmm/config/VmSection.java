package io.jvmm.config;

import java.util.Objects;

/**
 * The [vm] table.
 *
 * @param name        a name for messages and logs; defaults to the config file's name
 * @param memoryBytes guest RAM in bytes: a whole number of MiB, {@link #MIN_MEMORY} to {@link #MAX_MEMORY}
 * @param vcpus       number of vCPUs, 1 to {@link #MAX_VCPUS}
 */
public record VmSection(String name, long memoryBytes, int vcpus) {
    public static final long MIN_MEMORY = 64 * Sizes.MIB;
    public static final long DEFAULT_MEMORY = 512 * Sizes.MIB;
    /**
     * Guest RAM at most: 1 TiB. Above 3 GiB, RAM continues at 4 GiB and the 256 GiB 64-bit PCI
     * window follows it (io.jvmm.vm.X86Layout), so 1 TiB of RAM keeps the whole guest physical
     * layout below 1.3 TiB, inside the 41 physical address bits of any x86-64 host with that much
     * memory to give, and far from the overflow of 64-bit addresses a size like 8589934591G
     * reached. No host this runs on could back more anyway.
     */
    public static final long MAX_MEMORY = 1024 * Sizes.GIB;
    /**
     * 8-bit APIC ids (0xff is broadcast) and the IOAPIC's own id leave 254 for CPUs in the
     * MADT's Processor Local APIC entries (io.jvmm.acpi.AcpiTables.MAX_VCPUS).
     */
    public static final int MAX_VCPUS = 254;

    public VmSection {
        Objects.requireNonNull(name, "name");
        if (memoryBytes < MIN_MEMORY || memoryBytes > MAX_MEMORY || memoryBytes % Sizes.MIB != 0) {
            throw new IllegalArgumentException("memory must be a whole number of MiB from 64M to 1024G: " + memoryBytes);
        }
        if (vcpus < 1 || vcpus > MAX_VCPUS) {
            throw new IllegalArgumentException("vcpus out of range: " + vcpus);
        }
    }

    public long memoryMiB() {
        return memoryBytes / Sizes.MIB;
    }
}
