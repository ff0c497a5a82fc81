package io.jvmm.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * The real-mode kernel header of a bzImage (Documentation/arch/x86/boot.rst, "The Real-Mode
 * Kernel Header"): the fields the loader needs, and the raw header bytes that go into the
 * zero page. Offsets are the same in the image file and in struct boot_params.
 *
 * @param setupSects      real-mode sectors after the boot sector (0 already replaced by 4)
 * @param syssize         protected-mode code size in 16-byte paragraphs
 * @param version         boot protocol version, e.g. 0x020f
 * @param loadflags       as found in the image
 * @param kernelAlignment physical alignment required for a relocatable kernel
 * @param relocatable     the protected-mode code may run at any aligned address
 * @param xloadflags      XLF_* bits (protocol 2.12)
 * @param cmdlineSize     longest command line the kernel accepts, without the NUL
 * @param initrdAddrMax   highest address the initramfs may occupy (inclusive)
 * @param prefAddress     preferred load address (protocol 2.10)
 * @param initSize        memory the kernel needs from its runtime start before it reads the memory map
 * @param bytes           the header as in the file, from {@link #START} to the header's end
 */
public record SetupHeader(int setupSects, long syssize, int version, int loadflags, long kernelAlignment,
                          boolean relocatable, int xloadflags, long cmdlineSize, long initrdAddrMax,
                          long prefAddress, long initSize, byte[] bytes) {
    // Field offsets (boot.rst, "The Real-Mode Kernel Header").
    static final int START = 0x1f1;
    static final int SETUP_SECTS = 0x1f1;
    static final int SYSSIZE = 0x1f4;
    static final int VID_MODE = 0x1fa;
    static final int BOOT_FLAG = 0x1fe;
    static final int JUMP = 0x200;
    static final int HEADER = 0x202;
    static final int VERSION = 0x206;
    static final int TYPE_OF_LOADER = 0x210;
    static final int LOADFLAGS = 0x211;
    static final int RAMDISK_IMAGE = 0x218;
    static final int RAMDISK_SIZE = 0x21c;
    static final int HEAP_END_PTR = 0x224;
    static final int CMD_LINE_PTR = 0x228;
    static final int INITRD_ADDR_MAX = 0x22c;
    static final int KERNEL_ALIGNMENT = 0x230;
    static final int RELOCATABLE_KERNEL = 0x234;
    static final int XLOADFLAGS = 0x236;
    static final int CMDLINE_SIZE = 0x238;
    static final int PREF_ADDRESS = 0x258;
    static final int INIT_SIZE = 0x260;
    /** The last field this loader reads ends here; protocol 2.12 headers reach at least this far. */
    static final int MIN_HEADER_END = INIT_SIZE + 4;

    static final int BOOT_FLAG_MAGIC = 0xaa55;
    /** "HdrS" read as a little-endian 32-bit value. */
    static final int HEADER_MAGIC = 0x53726448;
    /** Protocol 2.12 added xloadflags, which announces the 64-bit entry point. */
    static final int MIN_VERSION = 0x020c;
    static final int XLF_KERNEL_64 = 1;
    static final int LOADED_HIGH = 0x01;
    static final int CAN_USE_HEAP = 0x80;
    /** initrd_addr_max of kernels that leave it 0 (boot.rst: protocol < 2.03 default). */
    static final long DEFAULT_INITRD_ADDR_MAX = 0x37ff_ffffL;

    public SetupHeader {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SetupHeader h && setupSects == h.setupSects && syssize == h.syssize && version == h.version
                && loadflags == h.loadflags && kernelAlignment == h.kernelAlignment && relocatable == h.relocatable
                && xloadflags == h.xloadflags && cmdlineSize == h.cmdlineSize && initrdAddrMax == h.initrdAddrMax
                && prefAddress == h.prefAddress && initSize == h.initSize && Arrays.equals(bytes, h.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(setupSects, syssize, version, loadflags, kernelAlignment, relocatable, xloadflags,
                cmdlineSize, initrdAddrMax, prefAddress, initSize) + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return String.format("SetupHeader[version=%d.%02d, setupSects=%d, xloadflags=0x%x, initSize=0x%x, "
                + "prefAddress=0x%x, cmdlineSize=%d, initrdAddrMax=0x%x]", version >> 8, version & 0xff, setupSects,
                xloadflags, initSize, prefAddress, cmdlineSize, initrdAddrMax);
    }

    /** Size of the real-mode part (boot sector + setup), which the loader skips. */
    public int setupSize() {
        return (setupSects + 1) * 512;
    }

    /** True when the file starts like a bzImage: boot flag 0xAA55 and the "HdrS" magic. */
    static boolean looksLikeBzImage(byte[] image) {
        if (image.length < HEADER + 4) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        return (b.getShort(BOOT_FLAG) & 0xffff) == BOOT_FLAG_MAGIC && b.getInt(HEADER) == HEADER_MAGIC;
    }

    /** The most of a file's start that {@link #parse} reads: the header ends by 0x202 + 0xff. */
    static final int PREFIX = 0x400;

    /**
     * Reads and checks the header of an image that {@link #looksLikeBzImage} accepted.
     *
     * @param name     the file, for messages
     * @param image    the file's first {@code min(fileSize, PREFIX)} bytes
     * @param fileSize the whole file's size
     */
    static SetupHeader parse(String name, byte[] image, long fileSize) throws BootException {
        if (fileSize < MIN_HEADER_END) {
            throw truncated(name, MIN_HEADER_END, fileSize);
        }
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.getShort(VERSION) & 0xffff;
        if (version < MIN_VERSION) {
            throw new BootException(String.format(
                    "%s uses boot protocol %d.%02d; the 64-bit boot protocol needs 2.12 or later (Linux 3.8+)",
                    name, version >> 8, version & 0xff));
        }
        // The byte after the 0xEB short jump at 0x200 is its displacement: the jump lands just
        // past the header, so 0x202 + displacement is the header's end (boot.rst, "jump").
        int headerEnd = HEADER + (image[JUMP + 1] & 0xff);
        if (headerEnd < MIN_HEADER_END) {
            throw new BootException(String.format(
                    "%s has a protocol %d.%02d header that ends at 0x%x, before init_size", name, version >> 8,
                    version & 0xff, headerEnd));
        }
        if (fileSize < headerEnd) {
            throw truncated(name, headerEnd, fileSize);
        }
        int xloadflags = b.getShort(XLOADFLAGS) & 0xffff;
        if ((xloadflags & XLF_KERNEL_64) == 0) {
            throw new BootException(name + " has no 64-bit entry point (XLF_KERNEL_64 is not set in xloadflags)");
        }
        int setupSects = image[SETUP_SECTS] & 0xff;
        if (setupSects == 0) {
            setupSects = 4; // boot.rst: "If this field is 0, the real value is 4."
        }
        long syssize = b.getInt(SYSSIZE) & 0xffff_ffffL;
        long expected = (setupSects + 1) * 512L + Math.max(syssize * 16, 1);
        if (fileSize < expected) {
            throw truncated(name, expected, fileSize);
        }
        long initrdAddrMax = b.getInt(INITRD_ADDR_MAX) & 0xffff_ffffL;
        return new SetupHeader(
                setupSects,
                syssize,
                version,
                image[LOADFLAGS] & 0xff,
                b.getInt(KERNEL_ALIGNMENT) & 0xffff_ffffL,
                image[RELOCATABLE_KERNEL] != 0,
                xloadflags,
                b.getInt(CMDLINE_SIZE) & 0xffff_ffffL,
                initrdAddrMax == 0 ? DEFAULT_INITRD_ADDR_MAX : initrdAddrMax,
                b.getLong(PREF_ADDRESS),
                b.getInt(INIT_SIZE) & 0xffff_ffffL,
                Arrays.copyOfRange(image, START, headerEnd));
    }

    private static BootException truncated(String name, long expected, long actual) {
        return new BootException(String.format(
                "%s is truncated: expected at least %d bytes, the file has %d", name, expected, actual));
    }

    /**
     * Where the decompressor will run (boot.rst, "init_size"): a relocatable kernel runs at
     * the load address raised to pref_address and aligned to kernel_alignment, any other
     * kernel at pref_address.
     */
    long runtimeStart(long loadAddress) {
        if (!relocatable) {
            return prefAddress;
        }
        long start = Math.max(loadAddress, prefAddress);
        long align = Math.max(kernelAlignment, 1);
        return (start + align - 1) / align * align;
    }
}
