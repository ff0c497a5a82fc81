package io.jvmm.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds a _CRS resource template: resource descriptors (ACPI 6.4, 6.4 "Resource Data
 * Types for ACPI") ended by an End Tag, wrapped in a Buffer as ASL's ResourceTemplate() does.
 * Ranges are given as ASL gives them, first and last address inclusive.
 */
public final class ResourceTemplate {
    // Small item tags (6.4.2): bit 7 = 0, bits 6-3 item name, bits 2-0 length.
    static final int IRQ_NO_FLAGS_TAG = 0x22;
    static final int IO_TAG = 0x47;
    static final int END_TAG = 0x79;
    // Large item tags (6.4.3): bit 7 = 1, bits 6-0 item name; a 16-bit length follows.
    static final int DWORD_ADDRESS_TAG = 0x87;
    static final int WORD_ADDRESS_TAG = 0x88;
    static final int EXTENDED_INTERRUPT_TAG = 0x89;
    static final int QWORD_ADDRESS_TAG = 0x8a;
    // Address space descriptors (6.4.3.5): resource type, general flags, type-specific flags.
    static final int TYPE_MEMORY = 0;
    static final int TYPE_IO = 1;
    static final int TYPE_BUS_NUMBER = 2;
    /** ResourceProducer, PosDecode, MinFixed (_MIF, bit 2), MaxFixed (_MAF, bit 3). */
    static final int PRODUCER_FIXED_RANGE = 0x0c;
    /** I/O flags (6.4.3.5.5): _RNG = 3, ISA and non-ISA ranges (ASL EntireRange). */
    static final int IO_ENTIRE_RANGE = 0x03;
    /** Memory flags (6.4.3.5.5): _RW bit 0 = read-write; _MEM bits 2-1 = 0 non-cacheable, 1 cacheable. */
    static final int MEMORY_RW = 0x01;
    static final int MEMORY_CACHEABLE = 0x02;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** WordBusNumber(ResourceProducer, MinFixed, MaxFixed, PosDecode, 0, min, max, 0, length). */
    public ResourceTemplate wordBusNumber(int min, int max) {
        return wordAddress(TYPE_BUS_NUMBER, 0, min, max);
    }

    /** WordIO(ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange, 0, min, max, 0, length). */
    public ResourceTemplate wordIo(int min, int max) {
        return wordAddress(TYPE_IO, IO_ENTIRE_RANGE, min, max);
    }

    /** DWordMemory(ResourceProducer, PosDecode, MinFixed, MaxFixed, cacheability, ReadWrite, 0, min, max, 0, length). */
    public ResourceTemplate dwordMemory(long min, long max, boolean cacheable) {
        checkRange(min, max, 0xffff_ffffL);
        return addressSpace(DWORD_ADDRESS_TAG, 4, TYPE_MEMORY, memoryFlags(cacheable), min, max);
    }

    /** QWordMemory(ResourceProducer, PosDecode, MinFixed, MaxFixed, cacheability, ReadWrite, 0, min, max, 0, length). */
    public ResourceTemplate qwordMemory(long min, long max, boolean cacheable) {
        checkRange(min, max, -1L);
        return addressSpace(QWORD_ADDRESS_TAG, 8, TYPE_MEMORY, memoryFlags(cacheable), min, max);
    }

    /** IO(Decode16, min, max, alignment, length): I/O Port Descriptor (6.4.2.5). */
    public ResourceTemplate io(int min, int max, int alignment, int length) {
        checkRange(min, max, 0xffff);
        if (alignment < 0 || alignment > 0xff || length < 0 || length > 0xff) {
            throw new IllegalArgumentException("IO alignment and length are bytes");
        }
        ByteBuffer b = little(8);
        b.put((byte) IO_TAG).put((byte) 1 /* decodes 16 address bits */)
                .putShort((short) min).putShort((short) max).put((byte) alignment).put((byte) length);
        out.writeBytes(b.array());
        return this;
    }

    /** IRQNoFlags(){irqs}: IRQ Descriptor without its information byte, i.e. ISA edge/high (6.4.2.1). */
    public ResourceTemplate irqNoFlags(int... irqs) {
        int mask = 0;
        for (int irq : irqs) {
            if (irq < 0 || irq > 15) {
                throw new IllegalArgumentException("ISA IRQ out of range: " + irq);
            }
            mask |= 1 << irq;
        }
        out.writeBytes(little(3).put((byte) IRQ_NO_FLAGS_TAG).putShort((short) mask).array());
        return this;
    }

    /**
     * Interrupt(ResourceConsumer, edge/level, high/low, shared/exclusive){gsis}: Extended
     * Interrupt Descriptor (6.4.3.6). Flags: bit 0 consumer, bit 1 edge, bit 2 active low,
     * bit 3 shared.
     */
    public ResourceTemplate interrupt(boolean edge, boolean activeLow, boolean shared, int... gsis) {
        if (gsis.length == 0 || gsis.length > 255) {
            throw new IllegalArgumentException("Interrupt() needs 1 to 255 interrupts");
        }
        int flags = 1 | (edge ? 2 : 0) | (activeLow ? 4 : 0) | (shared ? 8 : 0);
        ByteBuffer b = little(5 + 4 * gsis.length);
        b.put((byte) EXTENDED_INTERRUPT_TAG).putShort((short) (2 + 4 * gsis.length)).put((byte) flags).put((byte) gsis.length);
        for (int gsi : gsis) {
            b.putInt(gsi);
        }
        out.writeBytes(b.array());
        return this;
    }

    /**
     * The descriptors and the End Tag (6.4.2.9), whose checksum byte makes the sum of all
     * bytes of the template zero.
     */
    public byte[] descriptors() {
        byte[] body = out.toByteArray();
        byte[] all = new byte[body.length + 2];
        System.arraycopy(body, 0, all, 0, body.length);
        all[body.length] = (byte) END_TAG;
        all[body.length + 1] = Checksum.complement(all, 0, all.length);
        return all;
    }

    /** The template as an AML Buffer object, ready to be the value of a _CRS name. */
    public byte[] toAml() {
        return Aml.buffer(descriptors());
    }

    private ResourceTemplate wordAddress(int type, int typeFlags, int min, int max) {
        checkRange(min, max, 0xffff);
        return addressSpace(WORD_ADDRESS_TAG, 2, type, typeFlags, min, max);
    }

    /**
     * Word/DWord/QWord Address Space Descriptor (6.4.3.5.1-3): tag, length, resource type,
     * general flags, type-specific flags, then granularity, minimum, maximum, translation
     * offset and length, each {@code width} bytes; no resource source.
     */
    private ResourceTemplate addressSpace(int tag, int width, int type, int typeFlags, long min, long max) {
        int length = 3 + 5 * width;
        ByteBuffer b = little(3 + length);
        b.put((byte) tag).putShort((short) length).put((byte) type).put((byte) PRODUCER_FIXED_RANGE).put((byte) typeFlags);
        long[] fields = {0, min, max, 0, max - min + 1};
        for (long f : fields) {
            for (int i = 0; i < width; i++) {
                b.put((byte) (f >>> (8 * i)));
            }
        }
        out.writeBytes(b.array());
        return this;
    }

    private static int memoryFlags(boolean cacheable) {
        return MEMORY_RW | (cacheable ? MEMORY_CACHEABLE : 0);
    }

    private static void checkRange(long min, long max, long limit) {
        if (Long.compareUnsigned(min, max) > 0 || Long.compareUnsigned(max, limit) > 0) {
            throw new IllegalArgumentException(String.format("bad range [0x%x, 0x%x]", min, max));
        }
    }

    private static ByteBuffer little(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
