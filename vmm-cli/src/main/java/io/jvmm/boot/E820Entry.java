package io.jvmm.boot;

/**
 * One range of the BIOS memory map (ACPI 6.4, 15.1 "INT 15H, E820H - Query System Address Map"). The same
 * types are used by the PVH memory map (hvm_memmap_table_entry).
 */
public record E820Entry(long address, long size, Type type) {
    public E820Entry {
        if (size <= 0 || address < 0) {
            throw new IllegalArgumentException("empty or negative e820 range at 0x" + Long.toHexString(address));
        }
    }

    public long end() {
        return address + size;
    }

    /** Address range types (ACPI 6.4, 15.1, "Address Range Types"). */
    public enum Type {
        RAM(1),
        RESERVED(2),
        ACPI(3),
        NVS(4);

        private final int code;

        Type(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }
    }
}
