package io.jvmm.virtio.pci;

/**
 * 256 bytes of type-0 PCI configuration space with a per-bit write mask: bits outside the mask
 * are read-only and guest writes to them are dropped (PCI Local Bus 3.0, 6.1). The extended
 * space beyond 256 bytes reads 0 ("no extended capabilities", PCIe 4.0, 7.6.3). Not
 * thread-safe; its owner locks.
 */
final class ConfigSpace {
    static final int SIZE = 256;

    // Type 0 header offsets (PCI Local Bus 3.0, Figure 6-1).
    static final int VENDOR_ID = 0x00;
    static final int DEVICE_ID = 0x02;
    static final int COMMAND = 0x04;
    static final int STATUS = 0x06;
    static final int REVISION_ID = 0x08;
    static final int CLASS_PROG_IF = 0x09;
    static final int SUBCLASS = 0x0a;
    static final int CLASS_CODE = 0x0b;
    static final int HEADER_TYPE = 0x0e;
    static final int BAR0 = 0x10;
    static final int SUBSYSTEM_VENDOR_ID = 0x2c;
    static final int SUBSYSTEM_ID = 0x2e;
    static final int CAPABILITIES_POINTER = 0x34;
    static final int INTERRUPT_LINE = 0x3c;
    static final int INTERRUPT_PIN = 0x3d;

    static final int COMMAND_MEMORY = 1 << 1;
    static final int COMMAND_BUS_MASTER = 1 << 2;
    static final int COMMAND_INTX_DISABLE = 1 << 10;
    static final int STATUS_CAPABILITIES = 1 << 4;

    private final byte[] bytes = new byte[SIZE];
    private final byte[] writeMask = new byte[SIZE];

    /** Sets {@code length} bytes (1-4) at {@code offset}, little-endian, ignoring the mask. */
    void set(int offset, int length, int value) {
        for (int i = 0; i < length; i++) {
            bytes[offset + i] = (byte) (value >>> (8 * i));
        }
    }

    int get(int offset, int length) {
        int value = 0;
        for (int i = 0; i < length; i++) {
            value |= (bytes[offset + i] & 0xff) << (8 * i);
        }
        return value;
    }

    void setWritable(int offset, int length, int mask) {
        for (int i = 0; i < length; i++) {
            writeMask[offset + i] = (byte) (mask >>> (8 * i));
        }
    }

    /** All 256 bytes, for snapshots. */
    byte[] bytes() {
        return bytes.clone();
    }

    /**
     * The first byte offset where {@code saved} differs from this space in a bit the guest
     * cannot write (so it is not this device's config space), or -1.
     */
    int readOnlyMismatch(byte[] saved) {
        for (int i = 0; i < SIZE; i++) {
            if (((saved[i] ^ bytes[i]) & ~writeMask[i]) != 0) {
                return i;
            }
        }
        return -1;
    }

    /** Takes over {@code saved} (256 bytes that passed {@link #readOnlyMismatch}). */
    void restore(byte[] saved) {
        System.arraycopy(saved, 0, bytes, 0, SIZE);
    }

    /** The 32-bit register {@code reg}; 0 past the 256-byte header and capabilities. */
    int readRegister(int reg) {
        return reg >= 0 && reg < SIZE / 4 ? get(reg * 4, 4) : 0;
    }

    /** A guest write of {@code data} at byte {@code offset} of {@code reg}, through the write mask. */
    void write(int reg, int offset, byte[] data) {
        for (int i = 0; i < data.length && offset + i < 4; i++) {
            int at = reg * 4 + offset + i;
            if (at < 0 || at >= SIZE) {
                return;
            }
            bytes[at] = (byte) (bytes[at] & ~writeMask[at] | data[i] & writeMask[at]);
        }
    }
}
