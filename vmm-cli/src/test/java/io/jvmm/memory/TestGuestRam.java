package io.jvmm.memory;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.jvmm.spi.RamRegion;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Guest RAM backed by malloc'd native memory, for unit tests that need no KVM. */
public final class TestGuestRam {
    /**
     * GuestRam holds raw addresses, not the JNA Memory objects: if these were collected the GC
     * would free the native memory under a running test. Test RAM is small and lives as long
     * as the test JVM.
     */
    private static final List<Memory> KEEP_ALIVE = Collections.synchronizedList(new ArrayList<>());
    private final List<RamRegion> regions = new ArrayList<>();

    /** Adds a zeroed region of {@code size} bytes at {@code guestAddress}. */
    public TestGuestRam region(long guestAddress, long size) {
        Memory m = new Memory(size);
        m.clear();
        KEEP_ALIVE.add(m);
        regions.add(new RamRegion(guestAddress, size, Pointer.nativeValue(m)));
        return this;
    }

    public GuestRam build() {
        return new GuestRam(regions);
    }
}
