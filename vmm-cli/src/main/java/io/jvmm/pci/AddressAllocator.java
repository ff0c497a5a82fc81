package io.jvmm.pci;

import java.util.Map;
import java.util.TreeMap;

/**
 * First-fit allocation of aligned ranges from {@code [start, end)}, with free. Freed ranges
 * merge with free neighbours, so the space does not fragment over BAR churn. Thread-safe.
 */
public final class AddressAllocator {
    private final String name;
    private final long start;
    private final long end;
    /** Free ranges: start to end (exclusive), non-adjacent. */
    private final TreeMap<Long, Long> free = new TreeMap<>();
    /** Allocated ranges: start to size. */
    private final TreeMap<Long, Long> allocated = new TreeMap<>();

    /**
     * @param name what the space is called in error messages, e.g. {@code "PCI MMIO32"}
     */
    public AddressAllocator(String name, long start, long end) {
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException(name + ": empty or negative range [0x" + Long.toHexString(start)
                    + ", 0x" + Long.toHexString(end) + ")");
        }
        this.name = name;
        this.start = start;
        this.end = end;
        free.put(start, end);
    }

    public long start() {
        return start;
    }

    public long end() {
        return end;
    }

    /**
     * Reserves {@code size} bytes at the lowest address that is a multiple of {@code alignment}.
     *
     * @param alignment a power of two
     * @throws IllegalArgumentException when size is not positive or alignment not a power of two
     * @throws IllegalStateException    when no free range fits
     */
    public synchronized long allocate(long size, long alignment) {
        if (size <= 0) {
            throw new IllegalArgumentException(name + ": allocation size must be positive: " + size);
        }
        if (alignment <= 0 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException(name + ": alignment must be a power of two: " + alignment);
        }
        for (Map.Entry<Long, Long> range : free.entrySet()) {
            long rangeStart = range.getKey();
            long rangeEnd = range.getValue();
            long aligned = (rangeStart + alignment - 1) & -alignment;
            if (aligned < rangeStart || aligned >= rangeEnd || rangeEnd - aligned < size) {
                continue; // overflowed, or does not fit
            }
            free.remove(rangeStart);
            if (aligned > rangeStart) {
                free.put(rangeStart, aligned);
            }
            if (aligned + size < rangeEnd) {
                free.put(aligned + size, rangeEnd);
            }
            allocated.put(aligned, size);
            return aligned;
        }
        throw new IllegalStateException(String.format("%s exhausted: no room for 0x%x bytes aligned to 0x%x in"
                + " [0x%x, 0x%x)", name, size, alignment, start, end));
    }

    /**
     * Reserves {@code [address, address + size)}, which must lie in one free range.
     *
     * @throws IllegalArgumentException when size is not positive
     * @throws IllegalStateException    when the range is not free or outside this space
     */
    public synchronized long allocateAt(long address, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException(name + ": allocation size must be positive: " + size);
        }
        Map.Entry<Long, Long> range = free.floorEntry(address);
        if (range == null || address + size < address || address + size > range.getValue()) {
            throw new IllegalStateException(String.format("%s: [0x%x, +0x%x) is not free (or not in [0x%x, 0x%x))",
                    name, address, size, start, end));
        }
        long rangeStart = range.getKey();
        long rangeEnd = range.getValue();
        free.remove(rangeStart);
        if (address > rangeStart) {
            free.put(rangeStart, address);
        }
        if (address + size < rangeEnd) {
            free.put(address + size, rangeEnd);
        }
        allocated.put(address, size);
        return address;
    }

    /**
     * Gives back a range returned by {@link #allocate} or {@link #allocateAt}.
     *
     * @throws IllegalArgumentException when {@code [address, address + size)} was not allocated as one range
     */
    public synchronized void free(long address, long size) {
        Long allocatedSize = allocated.get(address);
        if (allocatedSize == null || allocatedSize != size) {
            throw new IllegalArgumentException(String.format("%s: [0x%x, +0x%x) was not allocated", name, address,
                    size));
        }
        allocated.remove(address);
        long freeStart = address;
        long freeEnd = address + size;
        Map.Entry<Long, Long> before = free.floorEntry(address);
        if (before != null && before.getValue() == address) {
            freeStart = before.getKey();
            free.remove(before.getKey());
        }
        Long after = free.get(freeEnd);
        if (after != null) {
            free.remove(freeEnd);
            freeEnd = after;
        }
        free.put(freeStart, freeEnd);
    }

    @Override
    public synchronized String toString() {
        return String.format("%s [0x%x, 0x%x), %d ranges allocated", name, start, end, allocated.size());
    }
}
