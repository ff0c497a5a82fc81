package io.jvmm.kvm;

import com.sun.jna.Memory;

/** struct kvm_regs: the general-purpose registers, rip and rflags (18 x u64). */
public record Regs(long rax, long rbx, long rcx, long rdx, long rsi, long rdi, long rsp, long rbp,
                   long r8, long r9, long r10, long r11, long r12, long r13, long r14, long r15,
                   long rip, long rflags) {
    static final int SIZE = 18 * 8;

    /** Reset state: everything zero but the always-one bit 1 of RFLAGS. */
    public static Regs initial() {
        return new Regs(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2);
    }

    /** Registers at a kernel entry point: RFLAGS reserved bit, stack, and the boot-info pointer in RSI or RBX. */
    public static Regs atEntry(long rip, long rsp, long rsi, long rbx) {
        return new Regs(0, rbx, 0, 0, rsi, 0, rsp, rsp, 0, 0, 0, 0, 0, 0, 0, 0, rip, 2);
    }

    long[] toArray() {
        return new long[] {rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags};
    }

    static Regs fromArray(long[] v) {
        return new Regs(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13],
                v[14], v[15], v[16], v[17]);
    }

    /** The struct kvm_regs bytes (little-endian), e.g. for a snapshot. */
    public byte[] toBytes() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(SIZE).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (long v : toArray()) {
            b.putLong(v);
        }
        return b.array();
    }

    public static Regs fromBytes(byte[] bytes) {
        if (bytes.length != SIZE) {
            throw new IllegalArgumentException("kvm_regs must be " + SIZE + " bytes, not " + bytes.length);
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long[] v = new long[18];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getLong();
        }
        return fromArray(v);
    }

    void writeTo(Memory m) {
        m.write(0, toArray(), 0, 18);
    }

    static Regs readFrom(Memory m) {
        long[] v = new long[18];
        m.read(0, v, 0, 18);
        return fromArray(v);
    }
}
