package io.jvmm.pci;

import io.jvmm.spi.PciBar;
import io.jvmm.spi.PciBarAllocator;
import io.jvmm.vm.X86Layout;

import java.util.Objects;

/**
 * The guest address spaces BARs are placed in: I/O ports, the 32-bit MMIO window below
 * 4 GiB and the 64-bit window above RAM. Prefetchable and non-prefetchable BARs share a
 * window (there is no bridge whose windows would need them apart).
 *
 * <p>Every BAR is naturally aligned (PCI Local Bus 3.0, 6.2.5.1). Memory BARs smaller than
 * 4 KiB still get a 4 KiB page of their own, as that section's implementation note
 * suggests, so each BAR can be mapped or trapped page by page.
 */
public final class PciBarSpaces implements PciBarAllocator {
    /** I/O BARs go above the ISA range, as Linux's PCIBIOS_MIN_IO; the fixed legacy ports are all below. */
    public static final long IO_START = 0x1000;
    public static final long IO_END = 0x1_0000;
    private static final long PAGE = 4096;
    private static final long MIN_IO = 4;

    private final AddressAllocator io;
    private final AddressAllocator mmio32;
    private final AddressAllocator mmio64;

    public PciBarSpaces(AddressAllocator io, AddressAllocator mmio32, AddressAllocator mmio64) {
        this.io = Objects.requireNonNull(io, "io");
        this.mmio32 = Objects.requireNonNull(mmio32, "mmio32");
        this.mmio64 = Objects.requireNonNull(mmio64, "mmio64");
    }

    /**
     * The x86 layout: ports 0x1000-0xFFFF, {@link X86Layout#PCI_MMIO32_START} to
     * {@link X86Layout#PCI_MMIO32_END}, and {@link X86Layout#PCI_MMIO64_SIZE} bytes from
     * {@link X86Layout#pciMmio64Start}.
     *
     * @param highRamEnd the end of guest RAM above 4 GiB (or 4 GiB when there is none)
     */
    public static PciBarSpaces x86(long highRamEnd) {
        long mmio64Start = X86Layout.pciMmio64Start(highRamEnd);
        return new PciBarSpaces(new AddressAllocator("PCI I/O", IO_START, IO_END),
                new AddressAllocator("PCI MMIO32", X86Layout.PCI_MMIO32_START, X86Layout.PCI_MMIO32_END),
                new AddressAllocator("PCI MMIO64", mmio64Start, mmio64Start + X86Layout.PCI_MMIO64_SIZE));
    }

    public AddressAllocator io() {
        return io;
    }

    public AddressAllocator mmio32() {
        return mmio32;
    }

    public AddressAllocator mmio64() {
        return mmio64;
    }

    @Override
    public long allocate(PciBar.Type type, long size) {
        long span = span(type, size);
        return space(type).allocate(span, span);
    }

    @Override
    public long allocateAt(PciBar.Type type, long address, long size) {
        long span = span(type, size);
        if ((address & (span - 1)) != 0) {
            throw new IllegalStateException(String.format("a 0x%x-byte BAR at 0x%x is not naturally aligned",
                    size, address));
        }
        return space(type).allocateAt(address, span);
    }

    @Override
    public void free(PciBar.Type type, long address, long size) {
        space(type).free(address, span(type, size));
    }

    private AddressAllocator space(PciBar.Type type) {
        return switch (Objects.requireNonNull(type, "type")) {
            case IO -> io;
            case MMIO32 -> mmio32;
            case MMIO64 -> mmio64;
        };
    }

    private static long span(PciBar.Type type, long size) {
        if (size <= 0 || Long.bitCount(size) != 1) {
            throw new IllegalArgumentException("BAR size must be a power of two: " + size);
        }
        return Math.max(size, type == PciBar.Type.IO ? MIN_IO : PAGE);
    }
}
