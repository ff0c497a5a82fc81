package io.jvmm.boot;

import io.jvmm.spi.GuestMemory;
import io.jvmm.vm.X86Layout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

/**
 * Writes the zero page (struct boot_params, arch/x86/include/uapi/asm/bootparam.h) and the
 * command line for a bzImage started through the 64-bit boot protocol
 * (Documentation/arch/x86/boot.rst). Only the fields a boot loader must fill are set; the rest
 * of the page stays zero, as boot.rst asks ("the boot_params structure should be zeroed").
 */
public final class BootParamsWriter {
    static final int ZERO_PAGE_SIZE = 4096;
    // struct boot_params fields outside the setup header.
    static final int EXT_RAMDISK_IMAGE = 0x0c0;
    static final int EXT_RAMDISK_SIZE = 0x0c4;
    static final int E820_ENTRIES = 0x1e8;
    static final int E820_TABLE = 0x2d0;
    static final int E820_MAX_ENTRIES = 128;
    static final int E820_ENTRY_SIZE = 20;
    /** End of the setup header area in struct boot_params (its _pad7 ends at 0x290). */
    static final int HEADER_AREA_END = 0x290;

    /** type_of_loader 0xFF: "undefined" boot loader (boot.rst, "type_of_loader"). */
    static final int LOADER_UNDEFINED = 0xff;
    /** vid_mode 0xFFFF: "normal" (80x25) text mode, i.e. do not ask for a video mode. */
    static final int VID_MODE_NORMAL = 0xffff;
    /**
     * heap_end_ptr: end of the setup heap/stack relative to the real-mode code, minus 0x200
     * (boot.rst). The setup code does not run under the 64-bit protocol; 0xFE00 is the value
     * for a full 64 KiB real-mode segment.
     */
    static final int HEAP_END = 0xfe00;

    private BootParamsWriter() {
    }

    /**
     * Writes the command line and the zero page.
     *
     * @return where the boot vCPU starts: the 64-bit entry with RSI = {@link X86Layout#ZERO_PAGE}
     */
    public static BootEntry write(GuestMemory memory, LoadedKernel.BzImage kernel, String cmdline,
                                  Optional<Initrd> initrd, List<E820Entry> e820) throws BootException {
        SetupHeader header = kernel.header();
        long cmdlinePtr = CommandLine.write(memory, cmdline, header.cmdlineSize(), "this kernel's cmdline_size");
        memory.write(X86Layout.ZERO_PAGE, zeroPage(header, cmdlinePtr, initrd, e820));
        return new BootEntry(kernel.entryPoint(), BootEntry.Mode.LINUX_64, X86Layout.ZERO_PAGE);
    }

    static byte[] zeroPage(SetupHeader header, long cmdlinePtr, Optional<Initrd> initrd, List<E820Entry> e820)
            throws BootException {
        if (e820.size() > E820_MAX_ENTRIES) {
            throw new BootException("the memory map has " + e820.size() + " entries; the zero page holds "
                    + E820_MAX_ENTRIES);
        }
        ByteBuffer page = ByteBuffer.allocate(ZERO_PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        byte[] hdr = header.bytes();
        page.put(SetupHeader.START, hdr, 0, Math.min(hdr.length, HEADER_AREA_END - SetupHeader.START));

        page.putShort(SetupHeader.VID_MODE, (short) VID_MODE_NORMAL);
        page.put(SetupHeader.TYPE_OF_LOADER, (byte) LOADER_UNDEFINED);
        // The protected-mode code is at 1 MiB (LOADED_HIGH); heap_end_ptr is valid (CAN_USE_HEAP).
        int loadflags = header.loadflags() | SetupHeader.LOADED_HIGH | SetupHeader.CAN_USE_HEAP;
        page.put(SetupHeader.LOADFLAGS, (byte) loadflags);
        page.putShort(SetupHeader.HEAP_END_PTR, (short) HEAP_END);
        page.putInt(SetupHeader.CMD_LINE_PTR, (int) cmdlinePtr);
        if (initrd.isPresent()) {
            // The low 32 bits go in the header, the high ones in ext_ramdisk_* (boot.rst, protocol 2.12).
            long address = initrd.get().address();
            long size = initrd.get().size();
            page.putInt(SetupHeader.RAMDISK_IMAGE, (int) address);
            page.putInt(SetupHeader.RAMDISK_SIZE, (int) size);
            page.putInt(EXT_RAMDISK_IMAGE, (int) (address >>> 32));
            page.putInt(EXT_RAMDISK_SIZE, (int) (size >>> 32));
        }
        page.put(E820_ENTRIES, (byte) e820.size());
        int at = E820_TABLE;
        for (E820Entry e : e820) {
            page.putLong(at, e.address());
            page.putLong(at + 8, e.size());
            page.putInt(at + 16, e.type().code());
            at += E820_ENTRY_SIZE;
        }
        return page.array();
    }
}
