package io.jvmm.examples.balloon;

import io.jvmm.spi.GuestMemory;
import java.util.BitSet;

/**
 * The guest pages in the balloon, by page frame number (4 KiB pages: virtio 1.2, 5.5.6,
 * "page frame numbers ... shifted by 12"). Only PFNs whose whole page is guest RAM are taken,
 * and each at most once, so the set never holds more than guest RAM / 4 KiB entries whatever
 * the guest sends.
 */
final class BalloonPages {
    static final int PAGE_SHIFT = 12;
    static final long PAGE_SIZE = 1L << PAGE_SHIFT;

    private final GuestMemory memory;
    private final BitSet pfns = new BitSet();
    private long count;
    private long inflated;
    private long deflated;

    BalloonPages(GuestMemory memory) {
        this.memory = memory;
    }

    /** Whether page {@code pfn} lies entirely in guest RAM. */
    boolean isRam(long pfn) {
        return pfn >= 0 && pfn <= Integer.MAX_VALUE && memory.isValid(pfn << PAGE_SHIFT, PAGE_SIZE);
    }

    /** The guest gave page {@code pfn} to the host; false (and nothing recorded) when it is not RAM. */
    synchronized boolean inflate(long pfn) {
        if (!isRam(pfn)) {
            return false;
        }
        if (!pfns.get((int) pfn)) {
            pfns.set((int) pfn);
            count++;
            inflated++;
        }
        return true;
    }

    /**
     * The guest takes page {@code pfn} back; false when it is not RAM. A page that was not in
     * the balloon is ignored: the driver may deflate what a reset made the device forget.
     */
    synchronized boolean deflate(long pfn) {
        if (!isRam(pfn)) {
            return false;
        }
        if (pfns.get((int) pfn)) {
            pfns.clear((int) pfn);
            count--;
            deflated++;
        }
        return true;
    }

    /** Pages now in the balloon. */
    synchronized long count() {
        return count;
    }

    /** Pages given back to the host since the last {@link #clear()}, counting re-inflations. */
    synchronized long inflatedTotal() {
        return inflated;
    }

    synchronized long deflatedTotal() {
        return deflated;
    }

    synchronized boolean contains(long pfn) {
        return pfn >= 0 && pfn <= Integer.MAX_VALUE && pfns.get((int) pfn);
    }

    /** A device reset: the driver owns all its memory again (virtio 1.2, 5.5.6.1). */
    synchronized void clear() {
        pfns.clear();
        count = 0;
        inflated = 0;
        deflated = 0;
    }
}
