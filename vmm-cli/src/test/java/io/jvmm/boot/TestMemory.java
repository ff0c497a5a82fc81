package io.jvmm.boot;

import io.jvmm.memory.TestGuestRam;
import io.jvmm.spi.GuestMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * Guest RAM for a test that stays allocated as long as this object: the native memory
 * belongs to the {@link TestGuestRam}, not to the GuestRam it builds, so the builder must stay
 * reachable or the GC frees the memory under the test.
 */
final class TestMemory {
    private final List<TestGuestRam> owners = new ArrayList<>();

    /** RAM at {@code [0, size)}. */
    GuestMemory low(long size) {
        TestGuestRam owner = new TestGuestRam().region(0, size);
        owners.add(owner);
        return owner.build();
    }
}
