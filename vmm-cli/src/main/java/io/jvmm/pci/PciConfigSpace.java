package io.jvmm.pci;

/**
 * A function's configuration space as bytes plus a per-bit write mask: bits outside the
 * mask are read-only, so guest writes to them are dropped (PCI Local Bus 3.0, 6.1: writes to
 * read-only bits have no effect). 4 KiB, the PCI Express extended space (PCIe 4.0, 7.2.2);
 * bytes nobody set read 0, which past 0x100 means "no extended capabilities" (PCIe 4.0,
 * 7.6.3). Thread-safe.
 */
public final class PciConfigSpace {
    /** Bytes of configuration space. */
    public static final int SIZE = 4096;
    /** 32-bit registers of configuration space. */
    public static final int REGISTERS = SIZE / 4;

    // Type 0 header offsets (PCI Local Bus 3.0, Figure 6-1).
    public static final int VENDOR_ID = 0x00;
    public static final int DEVICE_ID = 0x02;
    public static final int COMMAND = 0x04;
    public static final int STATUS = 0x06;
    public static final int REVISION_ID = 0x08;
    public static final int PROG_IF = 0x09;
    public static final int SUBCLASS = 0x0a;
    public static final int CLASS_CODE = 0x0b;
    public static final int CACHE_LINE_SIZE = 0x0c;
    public static final int LATENCY_TIMER = 0x0d;
    public static final int HEADER_TYPE = 0x0e;
    public static final int BAR0 = 0x10;
    public static final int SUBSYSTEM_VENDOR_ID = 0x2c;
    public static final int SUBSYSTEM_ID = 0x2e;
    public static final int CAPABILITIES_POINTER = 0x34;
    public static final int INTERRUPT_LINE = 0x3c;
    public static final int INTERRUPT_PIN = 0x3d;

    private final byte[] bytes = new byte[SIZE];
    private final byte[] writeMask = new byte[SIZE];

    /** Sets {@code length} (1, 2 or 4) bytes at {@code offset} little-endian, ignoring the write mask. */
    public synchronized void set(int offset, int length, int value) {
        for (int i = 0; i < length; i++) {
            bytes[offset + i] = (byte) (value >>> (8 * i));
        }
    }

    /** Makes the bits of {@code mask} (little-endian, {@code length} bytes at {@code offset}) writable by the guest. */
    public synchronized void setWritable(int offset, int length, int mask) {
        for (int i = 0; i < length; i++) {
            writeMask[offset + i] = (byte) (mask >>> (8 * i));
        }
    }

    /** The 32-bit register {@code register}; all-ones outside the space. */
    public synchronized int readRegister(int register) {
        if (register < 0 || register >= REGISTERS) {
            return 0xffff_ffff;
        }
        int at = register * 4;
        return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8 | (bytes[at + 2] & 0xff) << 16
                | (bytes[at + 3] & 0xff) << 24;
    }

    /** A guest write of {@code data} at byte {@code offset} of {@code register}; bytes outside the register are dropped. */
    public synchronized void write(int register, int offset, byte[] data) {
        if (register < 0 || register >= REGISTERS || offset < 0) {
            return;
        }
        for (int i = 0; i < data.length && offset + i < 4; i++) {
            int at = register * 4 + offset + i;
            int mask = writeMask[at];
            bytes[at] = (byte) (bytes[at] & ~mask | data[i] & mask);
        }
    }
}
