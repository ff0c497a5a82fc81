package io.jvmm.testkit;

import io.jvmm.spi.PciBar;
import io.jvmm.spi.PciBarAllocator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * BAR placement as the VMM does it, without a VM: bump allocation from fixed windows (I/O ports
 * from 0x1000, 32-bit MMIO from 0xC000_0000, 64-bit MMIO from 4 GiB), each BAR naturally
 * aligned to its size, at least 4 bytes of ports or a 4 KiB page of memory (PCI 3.0, 6.2.5.1).
 * {@link #allocateAt} grants any address; frees are recorded for tests to check.
 */
public final class TestBarAllocator implements PciBarAllocator {
    /** One {@link #free} call. */
    public record Freed(PciBar.Type type, long address, long size) {
    }

    private final Map<PciBar.Type, Long> next = new EnumMap<>(Map.of(PciBar.Type.IO, 0x1000L,
            PciBar.Type.MMIO32, 0xc000_0000L, PciBar.Type.MMIO64, 0x1_0000_0000L));
    private final List<Freed> freed = new ArrayList<>();

    @Override
    public long allocate(PciBar.Type type, long size) {
        long span = Math.max(size, type == PciBar.Type.IO ? 4 : 4096);
        long at = (next.get(type) + span - 1) & -span;
        next.put(type, at + span);
        return at;
    }

    @Override
    public long allocateAt(PciBar.Type type, long address, long size) {
        return address;
    }

    @Override
    public void free(PciBar.Type type, long address, long size) {
        freed.add(new Freed(type, address, size));
    }

    /** What was freed, in order. */
    public List<Freed> freed() {
        return Collections.unmodifiableList(freed);
    }
}
