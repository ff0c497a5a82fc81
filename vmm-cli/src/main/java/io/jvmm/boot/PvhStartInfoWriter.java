package io.jvmm.boot;

import io.jvmm.spi.GuestMemory;
import io.jvmm.vm.X86Layout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

/**
 * Writes struct hvm_start_info, its module list and its memory map for a PVH entry
 * (xen/include/public/arch-x86/hvm/start_info.h, version 1), all in the page at
 * {@link X86Layout#PVH_START_INFO}, and the command line.
 */
public final class PvhStartInfoWriter {
    /** "xEn3" with the 0x80 bit of the "E" set. */
    static final int MAGIC = 0x336e_c578;
    static final int VERSION = 1;
    static final int START_INFO_SIZE = 0x38;
    static final int MODLIST_ENTRY_SIZE = 32;
    static final int MEMMAP_ENTRY_SIZE = 24;
    /** Offsets within the page: the start info, then one module entry, then the memory map. */
    static final int MODLIST_OFFSET = 0x40;
    static final int MEMMAP_OFFSET = 0x80;
    /** The memory map must end before the zero page that follows in the layout. */
    static final int MEMMAP_MAX_ENTRIES =
            (int) ((X86Layout.ZERO_PAGE - X86Layout.PVH_START_INFO - MEMMAP_OFFSET) / MEMMAP_ENTRY_SIZE);

    private PvhStartInfoWriter() {
    }

    /**
     * Writes the command line and the start info; the initramfs, if any, is module 0.
     *
     * @param rsdpAddress the ACPI RSDP, or 0 when the guest has no ACPI tables
     * @return where the boot vCPU starts: the 32-bit PVH entry with EBX = the start info
     */
    public static BootEntry write(GuestMemory memory, LoadedKernel.Pvh kernel, String cmdline, Optional<Initrd> initrd,
                                  List<E820Entry> e820, long rsdpAddress) throws BootException {
        long cmdlinePtr = CommandLine.write(memory, cmdline, X86Layout.CMDLINE_MAX - 1, "the VMM");
        memory.write(X86Layout.PVH_START_INFO, startInfo(cmdlinePtr, initrd, e820, rsdpAddress));
        return new BootEntry(kernel.entryPoint(), BootEntry.Mode.PVH_32, X86Layout.PVH_START_INFO);
    }

    static byte[] startInfo(long cmdlinePtr, Optional<Initrd> initrd, List<E820Entry> e820, long rsdpAddress)
            throws BootException {
        if (e820.size() > MEMMAP_MAX_ENTRIES) {
            throw new BootException("the memory map has " + e820.size() + " entries; the PVH start info holds "
                    + MEMMAP_MAX_ENTRIES);
        }
        int size = MEMMAP_OFFSET + e820.size() * MEMMAP_ENTRY_SIZE;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        long base = X86Layout.PVH_START_INFO;
        b.putInt(0x00, MAGIC);
        b.putInt(0x04, VERSION);
        b.putInt(0x08, 0); // flags: no SIF_* applies to an HVM guest
        b.putInt(0x0c, initrd.isPresent() ? 1 : 0);
        b.putLong(0x10, initrd.isPresent() ? base + MODLIST_OFFSET : 0);
        b.putLong(0x18, cmdlinePtr);
        b.putLong(0x20, rsdpAddress);
        b.putLong(0x28, base + MEMMAP_OFFSET);
        b.putInt(0x30, e820.size());
        initrd.ifPresent(i -> {
            // struct hvm_modlist_entry: paddr, size, cmdline_paddr (none), reserved.
            b.putLong(MODLIST_OFFSET, i.address());
            b.putLong(MODLIST_OFFSET + 8, i.size());
        });
        int at = MEMMAP_OFFSET;
        for (E820Entry e : e820) {
            // struct hvm_memmap_table_entry: addr, size, type (E820 values), reserved.
            b.putLong(at, e.address());
            b.putLong(at + 8, e.size());
            b.putInt(at + 16, e.type().code());
            at += MEMMAP_ENTRY_SIZE;
        }
        return b.array();
    }
}
