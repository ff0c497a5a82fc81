package io.jvmm.vfio.pci;

import java.util.ArrayList;
import java.util.List;

/**
 * The device's MSI-X capability and its vector table, both trapped and mirrored (PCI Local Bus
 * 3.0, 6.8.2). The guest programs entries in the copy kept here; the real table is the host
 * kernel's business (VFIO_DEVICE_SET_IRQS). Every change that matters goes to
 * {@link InterruptControl}. The Pending Bit Array is left to the device.
 */
public final class MsixCapability {
    private static final int CONTROL = 2;
    private static final int TABLE_SIZE_MASK = 0x7ff;
    private static final int FUNCTION_MASK = 0x4000;
    private static final int ENABLE = 0x8000;
    private static final int LENGTH = 12;
    /** Bytes per table entry: address low, address high, data, vector control. */
    public static final int ENTRY_SIZE = 16;
    private static final int VECTOR_MASKED = 1;

    private final int offset;
    private final byte[] bytes = new byte[LENGTH];
    private final int entries;
    private final int tableBir;
    private final long tableOffset;
    private final int pbaBir;
    private final long pbaOffset;
    private final int[] table;
    private final InterruptControl control;
    private boolean wasEnabled;
    private List<MsiMessage> lastReported = List.of();

    public MsixCapability(PhysicalConfig config, int offset, InterruptControl control) {
        this.offset = offset;
        this.control = control;
        config.read(offset, bytes);
        int ctl = get(CONTROL, 2);
        this.entries = (ctl & TABLE_SIZE_MASK) + 1;
        int tableReg = get(4, 4);
        int pbaReg = get(8, 4);
        this.tableBir = tableReg & 7;
        this.tableOffset = tableReg & 0xffff_fff8L;
        this.pbaBir = pbaReg & 7;
        this.pbaOffset = pbaReg & 0xffff_fff8L;
        // After reset MSI-X is off and every vector masked (PCI Local Bus 3.0, 6.8.2.3 and 6.8.2.9).
        set(CONTROL, 2, ctl & ~(ENABLE | FUNCTION_MASK));
        this.table = new int[entries * 4];
        for (int i = 0; i < entries; i++) {
            table[4 * i + 3] = VECTOR_MASKED;
        }
    }

    private int get(int at, int length) {
        int v = 0;
        for (int i = 0; i < length; i++) {
            v |= (bytes[at + i] & 0xff) << (8 * i);
        }
        return v;
    }

    private void set(int at, int length, int value) {
        for (int i = 0; i < length; i++) {
            bytes[at + i] = (byte) (value >>> (8 * i));
        }
    }

    public int offset() {
        return offset;
    }

    public int entries() {
        return entries;
    }

    public int tableBir() {
        return tableBir;
    }

    public long tableOffset() {
        return tableOffset;
    }

    public long tableSize() {
        return (long) entries * ENTRY_SIZE;
    }

    public int pbaBir() {
        return pbaBir;
    }

    public long pbaOffset() {
        return pbaOffset;
    }

    /** One bit per vector, in whole QWORDs (PCI Local Bus 3.0, 6.8.2.10). */
    public long pbaSize() {
        return (entries + 63) / 64 * 8L;
    }

    public boolean covers(int reg) {
        int at = reg * 4;
        return at >= offset && at < offset + LENGTH;
    }

    public synchronized int read(int reg) {
        return get(reg * 4 - offset, 4);
    }

    /** A guest write to the capability: only Enable and Function Mask are writable. */
    public synchronized void write(int reg, int byteOffset, byte[] data) {
        int at = reg * 4 - offset + byteOffset;
        for (int i = 0; i < data.length; i++) {
            int b = at + i;
            if (b == CONTROL + 1) {
                int mask = (ENABLE | FUNCTION_MASK) >>> 8;
                bytes[b] = (byte) (bytes[b] & ~mask | data[i] & mask);
            }
        }
        report();
    }

    /** Whether BAR {@code bar}'s {@code [offset, offset+length)} touches the vector table. */
    public boolean inTable(int bar, long offset, int length) {
        return bar == tableBir && offset < tableOffset + tableSize() && offset + length > tableOffset;
    }

    /** A guest read inside the table; {@code offset} is from the start of the BAR. */
    public synchronized void readTable(long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            long at = offset + i - tableOffset;
            data[i] = at >= 0 && at < tableSize() ? (byte) (table[(int) (at / 4)] >>> (8 * (at % 4))) : (byte) 0;
        }
    }

    /** A guest write inside the table; {@code offset} is from the start of the BAR. */
    public synchronized void writeTable(long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            long at = offset + i - tableOffset;
            if (at < 0 || at >= tableSize()) {
                continue;
            }
            int word = (int) (at / 4);
            int shift = (int) (8 * (at % 4));
            // Vector Control: only the Mask bit (bit 0) is writable; the other fields stay 0.
            int mask = word % 4 == 3 ? (shift == 0 ? VECTOR_MASKED : 0) : 0xff << shift;
            table[word] = table[word] & ~mask | (data[i] & 0xff) << shift & mask;
        }
        report();
    }

    private void report() {
        boolean enabled = enabled();
        List<MsiMessage> vectors = enabled ? messages() : List.of();
        if (enabled != wasEnabled || !vectors.equals(lastReported)) {
            wasEnabled = enabled;
            lastReported = vectors;
            control.msix(enabled, vectors);
        }
    }

    public synchronized boolean enabled() {
        return (get(CONTROL, 2) & ENABLE) != 0;
    }

    public synchronized boolean functionMasked() {
        return (get(CONTROL, 2) & FUNCTION_MASK) != 0;
    }

    /** One message per table entry; the function mask masks them all. */
    public synchronized List<MsiMessage> messages() {
        boolean all = functionMasked();
        List<MsiMessage> out = new ArrayList<>(entries);
        for (int i = 0; i < entries; i++) {
            long address = table[4 * i] & 0xffff_ffffL | (long) table[4 * i + 1] << 32;
            out.add(new MsiMessage(address, table[4 * i + 2], all || (table[4 * i + 3] & VECTOR_MASKED) != 0));
        }
        return out;
    }
}
