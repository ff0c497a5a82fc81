package io.jvmm.bus;

import io.jvmm.spi.BusDevice;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An address space that traps to the VMM (one for port I/O, one for MMIO): a map of
 * non-overlapping ranges to the {@link BusDevice}s behind them, after rust-vmm's
 * {@code vm-device} bus. Registering a range that overlaps another is an error, never a
 * silent shadow.
 *
 * <p>Lookups run on every vCPU exit, from several vCPU threads at once, while a rare
 * change (a guest moving a PCI BAR) may happen on another. Changes therefore build a new
 * immutable snapshot of sorted arrays and publish it through a volatile field
 * (copy-on-write); a lookup is a binary search over the snapshot it read, without locks or
 * allocation.
 *
 * <p>An access is routed by its first address: the device receives the whole access even
 * if it runs past the end of its range (devices tolerate any width, see {@link BusDevice}).
 * This also lets a one-byte range own a wider register, as CONFIG_ADDRESS at 0xCF8 does
 * next to the reset register at 0xCF9.
 */
public final class Bus {
    private final String name;
    private volatile Snapshot snapshot = Snapshot.EMPTY;

    /** @param name what the bus is called in error messages, e.g. {@code "port I/O"} */
    public Bus(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /**
     * Registers {@code device} for {@code [base, base + length)}; accesses there reach it
     * with the offset from {@code base}.
     *
     * @throws BusException when the range is empty, out of range or overlaps a registered one
     */
    public synchronized void insert(long base, long length, BusDevice device) {
        BusRange range = new BusRange(base, length, device);
        Snapshot current = snapshot;
        checkFree(current, range, -1);
        snapshot = current.with(range);
    }

    /**
     * Removes the range that starts at {@code base}.
     *
     * @return false when no range starts there
     */
    public synchronized boolean remove(long base) {
        Snapshot current = snapshot;
        int index = current.indexOfBase(base);
        if (index < 0) {
            return false;
        }
        snapshot = current.without(index);
        return true;
    }

    /**
     * Moves the range starting at {@code oldBase} to {@code newBase}, keeping its length, and
     * puts {@code device} there (the same device, or one that knows the new place). One atomic
     * change: a concurrent lookup sees the range either here or there. Used when the guest
     * reprograms a PCI BAR.
     *
     * @throws BusException when no range starts at {@code oldBase} or the new place overlaps
     *                      another range (the bus is then unchanged)
     */
    public synchronized void move(long oldBase, long newBase, BusDevice device) {
        Snapshot current = snapshot;
        int index = current.indexOfBase(oldBase);
        if (index < 0) {
            throw new BusException(name + " bus: no range starts at 0x" + Long.toHexString(oldBase));
        }
        BusRange moved = new BusRange(newBase, current.ranges[index].length(), device);
        checkFree(current, moved, index);
        snapshot = current.without(index).with(moved);
    }

    /**
     * Reads at {@code address} into {@code data} (the access width is {@code data.length}).
     *
     * @return false when no device is there; {@code data} is then untouched
     */
    public boolean read(long address, byte[] data) {
        BusRange range = snapshot.find(address);
        if (range == null) {
            return false;
        }
        range.device().read(address - range.base(), data);
        return true;
    }

    /**
     * Writes {@code data} at {@code address}.
     *
     * @return false when no device is there
     */
    public boolean write(long address, byte[] data) {
        BusRange range = snapshot.find(address);
        if (range == null) {
            return false;
        }
        range.device().write(address - range.base(), data);
        return true;
    }

    /** The range holding {@code address}, if any. */
    public Optional<BusRange> find(long address) {
        return Optional.ofNullable(snapshot.find(address));
    }

    /** All ranges, by address. */
    public List<BusRange> ranges() {
        return List.of(snapshot.ranges);
    }

    private void checkFree(Snapshot current, BusRange range, int ignoredIndex) {
        for (int i = 0; i < current.ranges.length; i++) {
            BusRange other = current.ranges[i];
            if (i != ignoredIndex && other.overlaps(range)) {
                throw new BusException(name + " bus: range " + describe(range)
                        + " overlaps the registered range " + describe(other));
            }
        }
    }

    private static String describe(BusRange range) {
        return "[0x" + Long.toHexString(range.base()) + "-0x" + Long.toHexString(range.end() - 1)
                + "] (" + range.device() + ")";
    }

    @Override
    public String toString() {
        return name + " bus, " + snapshot.ranges.length + " ranges";
    }

    /** An immutable, sorted view of the bus; {@code bases[i] == ranges[i].base()}. */
    private static final class Snapshot {
        static final Snapshot EMPTY = new Snapshot(new BusRange[0]);

        final BusRange[] ranges;
        final long[] bases;

        Snapshot(BusRange[] ranges) {
            this.ranges = ranges;
            this.bases = new long[ranges.length];
            for (int i = 0; i < ranges.length; i++) {
                bases[i] = ranges[i].base();
            }
        }

        BusRange find(long address) {
            int i = Arrays.binarySearch(bases, address);
            if (i < 0) {
                i = -i - 2; // the last range starting below address
                if (i < 0) {
                    return null;
                }
            }
            BusRange range = ranges[i];
            return range.contains(address) ? range : null;
        }

        int indexOfBase(long base) {
            int i = Arrays.binarySearch(bases, base);
            return i >= 0 ? i : -1;
        }

        Snapshot with(BusRange range) {
            int at = -Arrays.binarySearch(bases, range.base()) - 1; // no duplicate base: checked free
            BusRange[] copy = new BusRange[ranges.length + 1];
            System.arraycopy(ranges, 0, copy, 0, at);
            copy[at] = range;
            System.arraycopy(ranges, at, copy, at + 1, ranges.length - at);
            return new Snapshot(copy);
        }

        Snapshot without(int index) {
            BusRange[] copy = new BusRange[ranges.length - 1];
            System.arraycopy(ranges, 0, copy, 0, index);
            System.arraycopy(ranges, index + 1, copy, index, ranges.length - index - 1);
            return new Snapshot(copy);
        }
    }
}
