package io.jvmm.kvm;

import com.sun.jna.Pointer;

/** struct kvm_dtable (16 bytes): GDTR or IDTR. */
public record DescriptorTable(long base, int limit) {
    static final int SIZE = 16;

    void writeTo(Pointer p, long off) {
        p.setLong(off, base);
        p.setShort(off + 8, (short) limit);
        p.setShort(off + 10, (short) 0);
        p.setInt(off + 12, 0);
    }

    static DescriptorTable readFrom(Pointer p, long off) {
        return new DescriptorTable(p.getLong(off), p.getShort(off + 8) & 0xffff);
    }
}
