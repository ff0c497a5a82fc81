package io.jvmm.vfio.pci;

import java.util.ArrayList;
import java.util.List;

/**
 * The device's MSI capability, trapped and mirrored: the guest reads and writes a copy kept
 * here (PCI Local Bus 3.0, 6.8.1), and every change that matters is handed to
 * {@link InterruptControl}, which programs the host side through VFIO. Writes are passed on to
 * the device by the caller afterwards, as the seed does.
 */
public final class MsiCapability {
    private static final int CONTROL = 2;
    private static final int ENABLE = 0x1;
    private static final int MULTIPLE_CAPABLE_SHIFT = 1;
    private static final int MULTIPLE_ENABLE_SHIFT = 4;
    private static final int ADDRESS_64 = 0x80;
    private static final int PER_VECTOR_MASK = 0x100;

    private final int offset;
    private final byte[] bytes;
    private final byte[] writable;
    private final boolean is64;
    private final boolean perVectorMask;
    private final int capableVectors;
    private final InterruptControl control;
    private boolean wasEnabled;
    private List<MsiMessage> lastReported = List.of();

    /** Reads the capability at {@code offset} of the device's config space. */
    public MsiCapability(PhysicalConfig config, int offset, InterruptControl control) {
        this.offset = offset;
        this.control = control;
        int ctl = config.read16(offset + CONTROL);
        this.is64 = (ctl & ADDRESS_64) != 0;
        this.perVectorMask = (ctl & PER_VECTOR_MASK) != 0;
        this.capableVectors = 1 << Math.min(5, (ctl >> MULTIPLE_CAPABLE_SHIFT) & 7);
        int length = perVectorMask ? (is64 ? 24 : 20) : (is64 ? 16 : 12);
        this.bytes = new byte[length];
        config.read(offset, bytes);
        this.writable = new byte[length];
        // Start disabled, as after reset, whatever the host left behind.
        bytes[CONTROL] &= (byte) ~(ENABLE | 7 << MULTIPLE_ENABLE_SHIFT);
        setWritable(CONTROL, 2, ENABLE | 7 << MULTIPLE_ENABLE_SHIFT);
        setWritable(4, 4, 0xffff_fffc);
        if (is64) {
            setWritable(8, 4, 0xffff_ffff);
        }
        setWritable(dataOffset(), 2, 0xffff);
        if (perVectorMask) {
            setWritable(dataOffset() + 4, 4, capableVectors == 32 ? -1 : (1 << capableVectors) - 1);
            java.util.Arrays.fill(bytes, dataOffset() + 8, dataOffset() + 12, (byte) 0); // pending bits: the host owns them
        }
    }

    private void setWritable(int at, int length, int mask) {
        for (int i = 0; i < length; i++) {
            writable[at + i] = (byte) (mask >>> (8 * i));
        }
    }

    private int dataOffset() {
        return is64 ? 12 : 8;
    }

    public int offset() {
        return offset;
    }

    /** Whether config register {@code reg} lies in this capability. */
    public boolean covers(int reg) {
        int at = reg * 4;
        return at >= offset && at < offset + bytes.length;
    }

    public synchronized int read(int reg) {
        int at = reg * 4 - offset;
        return get(at, 4);
    }

    private int get(int at, int length) {
        int v = 0;
        for (int i = 0; i < length; i++) {
            v |= (bytes[at + i] & 0xff) << (8 * i);
        }
        return v;
    }

    /** A guest write of {@code data} at byte {@code byteOffset} of register {@code reg}. */
    public synchronized void write(int reg, int byteOffset, byte[] data) {
        int at = reg * 4 - offset + byteOffset;
        for (int i = 0; i < data.length && at + i < bytes.length; i++) {
            int mask = writable[at + i];
            bytes[at + i] = (byte) (bytes[at + i] & ~mask | data[i] & mask);
        }
        report();
    }

    private void report() {
        boolean enabled = enabled();
        List<MsiMessage> vectors = enabled ? messages() : List.of();
        if (enabled != wasEnabled || !vectors.equals(lastReported)) {
            wasEnabled = enabled;
            lastReported = vectors;
            control.msi(enabled, vectors);
        }
    }

    public synchronized boolean enabled() {
        return (bytes[CONTROL] & ENABLE) != 0;
    }

    /** Vectors the guest enabled (Multiple Message Enable), at most as many as the device has. */
    public synchronized int enabledVectors() {
        int mme = (get(CONTROL, 2) >> MULTIPLE_ENABLE_SHIFT) & 7;
        return Math.min(1 << Math.min(mme, 5), capableVectors);
    }

    /**
     * One message per enabled vector. With several vectors the function sets the low bits of the
     * data to the vector number (PCI Local Bus 3.0, 6.8.1.8).
     */
    public synchronized List<MsiMessage> messages() {
        long address = get(4, 4) & 0xffff_ffffL;
        if (is64) {
            address |= (long) get(8, 4) << 32;
        }
        int data = get(dataOffset(), 2);
        int mask = perVectorMask ? get(dataOffset() + 4, 4) : 0;
        int n = enabledVectors();
        List<MsiMessage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new MsiMessage(address, (data & ~(n - 1)) | i, (mask >>> i & 1) != 0));
        }
        return out;
    }
}
