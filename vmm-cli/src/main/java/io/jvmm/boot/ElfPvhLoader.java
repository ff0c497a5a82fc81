package io.jvmm.boot;

import io.jvmm.spi.GuestMemory;
import io.jvmm.spi.GuestMemoryException;
import io.jvmm.vm.X86Layout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads an uncompressed ELF64 vmlinux that can be started through Xen's PVH entry point
 * (Xen docs/misc/pvh.pandoc; Linux arch/x86/platform/pvh/head.S). The PT_LOAD segments go to
 * their physical addresses; the entry point is the XEN_ELFNOTE_PHYS32_ENTRY note.
 */
public final class ElfPvhLoader implements KernelLoader {
    // ELF-64 Object File Format 1.5 (and the System V gABI): header and program header layout.
    static final int EI_CLASS = 4;
    static final int EI_DATA = 5;
    static final int ELFCLASS64 = 2;
    static final int ELFDATA2LSB = 1;
    static final int ET_EXEC = 2;
    static final int EM_X86_64 = 62;
    static final int EHDR_SIZE = 64;
    static final int PHDR_SIZE = 56;
    static final int PT_LOAD = 1;
    static final int PT_NOTE = 4;
    /** xen/include/public/elfnote.h: physical address of the 32-bit PVH entry point. */
    static final int XEN_ELFNOTE_PHYS32_ENTRY = 18;

    /** One PT_LOAD program header. */
    record Segment(int index, long fileOffset, long physicalAddress, long fileSize, long memorySize) {
        long end() {
            return physicalAddress + memorySize;
        }
    }

    /** Of a note segment, at most this much is searched for the PVH note (Linux's notes are a few hundred bytes). */
    static final int MAX_NOTES = 1 << 16;

    private final Path path;
    private final KernelBytes image;
    private final List<Segment> segments;
    private final long entryPoint;

    private ElfPvhLoader(Path path, KernelBytes image, List<Segment> segments, long entryPoint) {
        this.path = path;
        this.image = image;
        this.segments = segments;
        this.entryPoint = entryPoint;
    }

    /** Whether {@code image} (a file's start) begins with the ELF magic. */
    static boolean looksLikeElf(byte[] image) {
        return image.length >= 4 && image[0] == 0x7f && image[1] == 'E' && image[2] == 'L' && image[3] == 'F';
    }

    /** Checks that {@code image} (an ELF file by its magic) is an x86-64 kernel with a PVH entry. */
    public static ElfPvhLoader parse(Path path, byte[] image) throws BootException {
        return parse(path, image, KernelBytes.of(image));
    }

    /**
     * As above, reading only the program headers and the notes beyond {@code prefix}, the
     * image's start that the caller read (at least the ELF header when the image has one).
     */
    static ElfPvhLoader parse(Path path, byte[] prefix, KernelBytes image) throws BootException {
        long length = image.size();
        if (length < EHDR_SIZE) {
            throw new BootException(path + " is truncated: " + length + " bytes is less than an ELF64 header");
        }
        ByteBuffer b = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN);
        if (prefix[EI_CLASS] != ELFCLASS64 || prefix[EI_DATA] != ELFDATA2LSB || b.getShort(18) != EM_X86_64) {
            throw new BootException(path + " is an ELF file but not a little-endian x86-64 ELF64 one");
        }
        if (b.getShort(16) != ET_EXEC) {
            throw new BootException(path + " is an ELF file but not an executable (a vmlinux is ET_EXEC)");
        }
        long phoff = b.getLong(32);
        int phentsize = b.getShort(54) & 0xffff;
        int phnum = b.getShort(56) & 0xffff;
        if (phentsize != PHDR_SIZE || phnum == 0) {
            throw new BootException(path + " has no usable ELF program headers");
        }
        // Unsigned offsets from the file (ELF-64 1.5, "ELF Header"): compare without adding, so a
        // huge e_phoff cannot wrap past the check. length - table cannot overflow.
        if (phoff < 0 || phoff > length - (long) phnum * PHDR_SIZE) {
            throw new BootException(path + " is truncated or not a valid ELF file: its program headers (e_phoff 0x"
                    + Long.toUnsignedString(phoff, 16) + ", " + phnum + " entries) lie outside the file");
        }
        ByteBuffer table = ByteBuffer.wrap(image.read(phoff, phnum * PHDR_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
        List<Segment> segments = new ArrayList<>();
        long entry = -1;
        for (int i = 0; i < phnum; i++) {
            int ph = i * PHDR_SIZE;
            int type = table.getInt(ph);
            long offset = table.getLong(ph + 8);
            long paddr = table.getLong(ph + 24);
            long filesz = table.getLong(ph + 32);
            long memsz = table.getLong(ph + 40);
            long align = table.getLong(ph + 48);
            if ((type == PT_LOAD || type == PT_NOTE) && !inFile(offset, filesz, length)) {
                throw new BootException(String.format("%s is truncated or not a valid ELF file: segment %d (offset 0x%s, "
                        + "0x%s bytes) lies outside the file", path, i, Long.toUnsignedString(offset, 16),
                        Long.toUnsignedString(filesz, 16)));
            }
            if (type == PT_LOAD) {
                if (memsz < filesz || paddr < 0 || paddr + memsz < paddr) {
                    throw new BootException(String.format("%s: ELF segment %d has bad sizes", path, i));
                }
                segments.add(new Segment(i, offset, paddr, filesz, memsz));
            } else if (type == PT_NOTE && entry < 0) {
                byte[] notes = image.read(offset, (int) Math.min(filesz, MAX_NOTES));
                entry = findPvhEntry(ByteBuffer.wrap(notes).order(ByteOrder.LITTLE_ENDIAN), 0, notes.length,
                        align == 8 ? 8 : 4);
            }
        }
        if (entry < 0) {
            throw new BootException(path + " is an ELF kernel without a PVH entry point (XEN_ELFNOTE_PHYS32_ENTRY); "
                    + "build it with CONFIG_PVH=y or use the bzImage");
        }
        if (segments.isEmpty()) {
            throw new BootException(path + " has no loadable ELF segments");
        }
        long e = entry;
        if (segments.stream().noneMatch(s -> e >= s.physicalAddress() && e < s.end())) {
            throw new BootException(String.format("%s: the PVH entry point 0x%x is not in a loadable segment", path, entry));
        }
        return new ElfPvhLoader(path, image, List.copyOf(segments), entry);
    }

    /** Whether {@code [offset, offset + size)}, unsigned 64-bit values from the file, lies in a file of {@code length} bytes. */
    private static boolean inFile(long offset, long size, long length) {
        return offset >= 0 && size >= 0 && offset <= length && size <= length - offset;
    }

    /** Walks the notes of one PT_NOTE segment (gABI "Note Section"); -1 when there is no PVH entry note. */
    private static long findPvhEntry(ByteBuffer b, int start, int size, int align) {
        int pos = start;
        int end = start + size;
        while (end - pos >= 12) {
            long namesz = b.getInt(pos) & 0xffff_ffffL;
            long descsz = b.getInt(pos + 4) & 0xffff_ffffL;
            int type = b.getInt(pos + 8);
            long nameAt = pos + 12L;
            long descAt = nameAt + alignUp(namesz, align);
            long next = descAt + alignUp(descsz, align);
            if (next > end) {
                return -1;
            }
            if (type == XEN_ELFNOTE_PHYS32_ENTRY && "Xen".equals(noteName(b, (int) nameAt, (int) namesz))) {
                // Linux emits the address with _ASM_PTR (8 bytes on x86-64); Xen reads 32 bits.
                if (descsz == 4) {
                    return b.getInt((int) descAt) & 0xffff_ffffL;
                }
                if (descsz == 8) {
                    long v = b.getLong((int) descAt);
                    return v >= 0 && v < X86Layout.FOUR_GIB ? v : -1;
                }
                return -1;
            }
            pos = (int) next;
        }
        return -1;
    }

    private static String noteName(ByteBuffer b, int at, int size) {
        byte[] name = new byte[size];
        b.get(at, name);
        int len = size > 0 && name[size - 1] == 0 ? size - 1 : size;
        return new String(name, 0, len, StandardCharsets.US_ASCII);
    }

    private static long alignUp(long v, int align) {
        return (v + align - 1) & -align;
    }

    @Override
    public Path path() {
        return path;
    }

    /** The PVH entry point from the note. */
    public long entryPoint() {
        return entryPoint;
    }

    List<Segment> segments() {
        return segments;
    }

    @Override
    public LoadedKernel.Pvh load(GuestMemory memory, RamLayout ram) throws BootException {
        long end = 0;
        for (Segment s : segments) {
            // Below 1 MiB live the zero page, start info, page tables and firmware tables.
            if (s.physicalAddress() < X86Layout.HIGH_MEMORY || !memory.isValid(s.physicalAddress(), s.memorySize())) {
                throw outside(s, ram, null);
            }
            try {
                image.copyTo(memory, s.physicalAddress(), s.fileOffset(), s.fileSize());
                zero(memory, s.physicalAddress() + s.fileSize(), s.memorySize() - s.fileSize());
            } catch (GuestMemoryException ex) {
                throw outside(s, ram, ex);
            }
            end = Math.max(end, s.end());
        }
        return new LoadedKernel.Pvh(entryPoint, end, ram.lowRamEnd());
    }

    private BootException outside(Segment s, RamLayout ram, Throwable cause) {
        return new BootException(String.format(
                "%s: ELF segment %d [0x%x, 0x%x) is not in guest RAM above 1 MiB (low RAM ends at 0x%x)", path,
                s.index(), s.physicalAddress(), s.end(), ram.lowRamEnd()), cause);
    }

    /** Clears the part of a segment past its file data (.bss). */
    private static void zero(GuestMemory memory, long gpa, long length) {
        byte[] zeros = new byte[(int) Math.min(length, 1 << 16)];
        for (long done = 0; done < length; done += zeros.length) {
            memory.write(gpa + done, zeros, 0, (int) Math.min(zeros.length, length - done));
        }
    }
}
