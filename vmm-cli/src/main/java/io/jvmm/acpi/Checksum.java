package io.jvmm.acpi;

/** The 8-bit checksums of ACPI tables, resource templates and MP tables: all bytes sum to zero. */
final class Checksum {
    private Checksum() {
    }

    static int sum(byte[] data, int offset, int length) {
        int sum = 0;
        for (int i = offset; i < offset + length; i++) {
            sum += data[i];
        }
        return sum & 0xff;
    }

    /** The byte that makes {@code data[offset..offset+length)} sum to zero when it holds 0 now. */
    static byte complement(byte[] data, int offset, int length) {
        return (byte) -sum(data, offset, length);
    }

    /** Sets {@code data[at]} so that {@code data[offset..offset+length)}, which contains it, sums to zero. */
    static void fix(byte[] data, int offset, int length, int at) {
        data[at] = 0;
        data[at] = complement(data, offset, length);
    }
}
