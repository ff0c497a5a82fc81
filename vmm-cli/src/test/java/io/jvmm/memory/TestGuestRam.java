package io.jvmm.memory;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.jvmm.spi.RamRegion;

import java.util.ArrayList;
import java.util.List;

/** Guest RAM backed by malloc'd native memory, for unit tests that need no KVM. */
public final class TestGuestRam {
    private final List<Memory> keepAlive = new ArrayList<>();
    private final List<RamRegion> regions = new ArrayList<>();

    /** Adds a zeroed region of {@code size} bytes at {@code guestAddress}. */
    public TestGuestRam region(long guestAddress, long size) {
        Memory m = new Memory(size);
        m.clear();
        keepAlive.add(m);
        regions.add(new RamRegion(guestAddress, size, Pointer.nativeValue(m)));
        return this;
    }

    public GuestRam build() {
        return new GuestRam(regions);
    }
}
