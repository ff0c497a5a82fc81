package io.jvmm.virtio.pci;

import io.jvmm.spi.MsiVector;

import java.util.BitSet;
import java.util.List;

/**
 * The MSI-X table and pending-bit array of one function (PCI Local Bus 3.0, 6.8.2), with one
 * VMM {@link MsiVector} per entry kept in step with what the guest writes.
 *
 * <p>An entry is effectively masked when MSI-X is disabled, when the function mask is set, or
 * when its own mask bit is set. Firing a masked entry sets its pending bit instead of
 * delivering; the message goes out once the entry is unmasked (6.8.3.4). The KVM route of each
 * entry follows every address/data/mask change, so a vector never fires with a stale message.
 * Thread-safe: vCPU threads program it, device workers fire it.
 */
final class MsixTable {
    static final int ENTRY_SIZE = 16;
    private static final int VECTOR_CONTROL_MASK = 1;

    private final List<MsiVector> vectors;
    private final int[][] entries;
    private final BitSet pending = new BitSet();
    private boolean enabled;
    private boolean functionMasked;

    /** @param vectors one VMM vector per table entry, in entry order */
    MsixTable(List<MsiVector> vectors) {
        this.vectors = List.copyOf(vectors);
        this.entries = new int[vectors.size()][4];
        for (int[] e : entries) {
            e[3] = VECTOR_CONTROL_MASK; // 6.8.2.9: mask bit set at reset
        }
    }

    int size() {
        return entries.length;
    }

    synchronized boolean enabled() {
        return enabled;
    }

    /** The MSI-X Enable and Function Mask bits of the capability's Message Control changed. */
    synchronized void setControl(boolean enable, boolean functionMask) {
        if (enable == enabled && functionMask == functionMasked) {
            return;
        }
        enabled = enable;
        functionMasked = functionMask;
        for (int i = 0; i < entries.length; i++) {
            sync(i);
        }
    }

    synchronized void readTable(long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            long at = offset + i;
            int entry = (int) (at / ENTRY_SIZE);
            if (entry < entries.length) {
                int word = entries[entry][(int) (at % ENTRY_SIZE) / 4];
                data[i] = (byte) (word >>> (8 * (at % 4)));
            } else {
                data[i] = 0;
            }
        }
    }

    synchronized void writeTable(long offset, byte[] data) {
        int first = (int) (offset / ENTRY_SIZE);
        int last = (int) ((offset + data.length - 1) / ENTRY_SIZE);
        for (int i = 0; i < data.length; i++) {
            long at = offset + i;
            int entry = (int) (at / ENTRY_SIZE);
            if (entry >= entries.length) {
                continue;
            }
            int word = (int) (at % ENTRY_SIZE) / 4;
            int shift = (int) (8 * (at % 4));
            int value = entries[entry][word] & ~(0xff << shift) | (data[i] & 0xff) << shift;
            // Vector Control: only the mask bit is defined (6.8.2.9), the rest reads 0.
            entries[entry][word] = word == 3 ? value & VECTOR_CONTROL_MASK : value;
        }
        for (int e = first; e <= last && e < entries.length; e++) {
            sync(e);
        }
    }

    /** The pending-bit array; read-only to the guest (6.8.2.10). */
    synchronized void readPba(long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            int bit = (int) ((offset + i) * 8);
            int b = 0;
            for (int j = 0; j < 8; j++) {
                if (pending.get(bit + j)) {
                    b |= 1 << j;
                }
            }
            data[i] = (byte) b;
        }
    }

    /**
     * Delivers entry {@code vector}, or marks it pending while masked. Out-of-range entries are
     * dropped.
     *
     * @return false when MSI-X is disabled, so the caller falls back to INTx
     */
    boolean fire(int vector) {
        MsiVector deliver;
        synchronized (this) {
            if (!enabled) {
                return false;
            }
            if (vector < 0 || vector >= entries.length) {
                return true;
            }
            if (masked(vector)) {
                pending.set(vector);
                return true;
            }
            deliver = vectors.get(vector);
        }
        deliver.trigger();
        return true;
    }

    synchronized boolean pending(int vector) {
        return pending.get(vector);
    }

    synchronized boolean masked(int vector) {
        return !enabled || functionMasked || (entries[vector][3] & VECTOR_CONTROL_MASK) != 0;
    }

    private void sync(int entry) {
        int[] e = entries[entry];
        long address = (e[0] & 0xffff_ffffL) | (long) e[1] << 32;
        boolean masked = masked(entry);
        MsiVector vector = vectors.get(entry);
        vector.update(address, e[2], masked);
        if (!masked && pending.get(entry)) {
            pending.clear(entry);
            vector.trigger();
        }
    }

    /** A copy of the table, 4 dwords per entry, for snapshots. */
    synchronized int[][] entries() {
        int[][] copy = new int[entries.length][];
        for (int i = 0; i < entries.length; i++) {
            copy[i] = entries[i].clone();
        }
        return copy;
    }

    synchronized BitSet pendingBits() {
        return (BitSet) pending.clone();
    }

    /**
     * Puts a saved table back and re-programs every vector's KVM route from it, so MSI-X
     * interrupts reach the guest as before without the guest writing the table again.
     * {@code entries} must have this table's size (checked by the caller).
     */
    synchronized void restore(int[][] saved, BitSet savedPending, boolean enable, boolean functionMask) {
        for (int i = 0; i < entries.length; i++) {
            System.arraycopy(saved[i], 0, entries[i], 0, 4);
            entries[i][3] &= VECTOR_CONTROL_MASK;
        }
        pending.clear();
        pending.or(savedPending.get(0, entries.length));
        enabled = enable;
        functionMasked = functionMask;
        for (int i = 0; i < entries.length; i++) {
            sync(i);
        }
    }

    void close() {
        vectors.forEach(MsiVector::close);
    }
}
