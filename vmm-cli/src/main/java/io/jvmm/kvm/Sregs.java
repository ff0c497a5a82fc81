package io.jvmm.kvm;

import com.sun.jna.Memory;

/**
 * struct kvm_sregs (312 bytes): segment registers, descriptor tables, control registers,
 * EFER, APIC base and the pending-interrupt bitmap.
 */
public record Sregs(Segment cs, Segment ds, Segment es, Segment fs, Segment gs, Segment ss, Segment tr,
                    Segment ldt, DescriptorTable gdt, DescriptorTable idt, long cr0, long cr2, long cr3,
                    long cr4, long cr8, long efer, long apicBase, long[] interruptBitmap) {
    static final int SIZE = 8 * Segment.SIZE + 2 * DescriptorTable.SIZE + 7 * 8 + 4 * 8;

    public Sregs {
        if (interruptBitmap.length != 4) {
            throw new IllegalArgumentException("interrupt bitmap must have 4 words");
        }
        interruptBitmap = interruptBitmap.clone();
    }

    @Override
    public long[] interruptBitmap() {
        return interruptBitmap.clone();
    }

    public Sregs withSegments(Segment code, Segment data, Segment task) {
        return new Sregs(code, data, data, data, data, data, task, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer,
                apicBase, interruptBitmap);
    }

    public Sregs withTables(DescriptorTable newGdt, DescriptorTable newIdt) {
        return new Sregs(cs, ds, es, fs, gs, ss, tr, ldt, newGdt, newIdt, cr0, cr2, cr3, cr4, cr8, efer, apicBase,
                interruptBitmap);
    }

    public Sregs withControl(long newCr0, long newCr3, long newCr4, long newEfer) {
        return new Sregs(cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, newCr0, cr2, newCr3, newCr4, cr8, newEfer,
                apicBase, interruptBitmap);
    }

    public static final int BYTES = SIZE;

    /** The struct kvm_sregs bytes, e.g. for a snapshot. */
    public byte[] toBytes() {
        try (Memory m = new Memory(SIZE)) {
            m.clear();
            writeTo(m);
            return m.getByteArray(0, SIZE);
        }
    }

    public static Sregs fromBytes(byte[] bytes) {
        if (bytes.length != SIZE) {
            throw new IllegalArgumentException("kvm_sregs must be " + SIZE + " bytes, not " + bytes.length);
        }
        try (Memory m = new Memory(SIZE)) {
            m.write(0, bytes, 0, SIZE);
            return readFrom(m);
        }
    }

    void writeTo(Memory m) {
        Segment[] segs = {cs, ds, es, fs, gs, ss, tr, ldt};
        long off = 0;
        for (Segment s : segs) {
            s.writeTo(m, off);
            off += Segment.SIZE;
        }
        gdt.writeTo(m, off);
        idt.writeTo(m, off + DescriptorTable.SIZE);
        off += 2 * DescriptorTable.SIZE;
        long[] cr = {cr0, cr2, cr3, cr4, cr8, efer, apicBase};
        m.write(off, cr, 0, cr.length);
        m.write(off + 7 * 8, interruptBitmap, 0, 4);
    }

    static Sregs readFrom(Memory m) {
        Segment[] segs = new Segment[8];
        long off = 0;
        for (int i = 0; i < 8; i++) {
            segs[i] = Segment.readFrom(m, off);
            off += Segment.SIZE;
        }
        DescriptorTable gdt = DescriptorTable.readFrom(m, off);
        DescriptorTable idt = DescriptorTable.readFrom(m, off + DescriptorTable.SIZE);
        off += 2 * DescriptorTable.SIZE;
        long[] cr = new long[7];
        m.read(off, cr, 0, 7);
        long[] bitmap = new long[4];
        m.read(off + 7 * 8, bitmap, 0, 4);
        return new Sregs(segs[0], segs[1], segs[2], segs[3], segs[4], segs[5], segs[6], segs[7], gdt, idt,
                cr[0], cr[1], cr[2], cr[3], cr[4], cr[5], cr[6], bitmap);
    }
}
