package io.jvmm.kvm;

import com.sun.jna.Pointer;

/** struct kvm_segment (24 bytes): a segment register with its hidden descriptor cache. */
public record Segment(long base, int limit, int selector, int type, boolean present, int dpl, boolean db,
                      boolean s, boolean l, boolean g, boolean avl, boolean unusable) {
    static final int SIZE = 24;

    void writeTo(Pointer p, long off) {
        p.setLong(off, base);
        p.setInt(off + 8, limit);
        p.setShort(off + 12, (short) selector);
        p.setByte(off + 14, (byte) type);
        p.setByte(off + 15, (byte) (present ? 1 : 0));
        p.setByte(off + 16, (byte) dpl);
        p.setByte(off + 17, (byte) (db ? 1 : 0));
        p.setByte(off + 18, (byte) (s ? 1 : 0));
        p.setByte(off + 19, (byte) (l ? 1 : 0));
        p.setByte(off + 20, (byte) (g ? 1 : 0));
        p.setByte(off + 21, (byte) (avl ? 1 : 0));
        p.setByte(off + 22, (byte) (unusable ? 1 : 0));
        p.setByte(off + 23, (byte) 0);
    }

    static Segment readFrom(Pointer p, long off) {
        return new Segment(p.getLong(off), p.getInt(off + 8), p.getShort(off + 12) & 0xffff, p.getByte(off + 14) & 0xff,
                p.getByte(off + 15) != 0, p.getByte(off + 16) & 0xff, p.getByte(off + 17) != 0, p.getByte(off + 18) != 0,
                p.getByte(off + 19) != 0, p.getByte(off + 20) != 0, p.getByte(off + 21) != 0, p.getByte(off + 22) != 0);
    }
}
