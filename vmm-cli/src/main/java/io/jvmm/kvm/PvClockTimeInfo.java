package io.jvmm.kvm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * struct pvclock_vcpu_time_info, the page KVM keeps up to date for each vCPU at the guest
 * address the guest wrote to MSR_KVM_SYSTEM_TIME_NEW (Documentation/virt/kvm/x86/msr.rst;
 * arch/x86/include/asm/pvclock-abi.h). The guest's clock is {@link #nanosAt} its own TSC.
 */
public record PvClockTimeInfo(int version, long tscTimestamp, long systemTime, int tscToSystemMul, byte tscShift,
                              byte flags) {
    /** MSR_KVM_SYSTEM_TIME_NEW: bit 0 enables, bits 63:1 are the structure's guest address. */
    public static final int MSR_KVM_SYSTEM_TIME_NEW = 0x4b564d01;
    /** IA32_TIME_STAMP_COUNTER: KVM_GET_MSRS returns the guest's TSC (the host's plus the offset). */
    public static final int MSR_IA32_TSC = 0x10;
    public static final int SIZE = 32;

    public static PvClockTimeInfo parse(byte[] raw) {
        if (raw.length < SIZE) {
            throw new IllegalArgumentException("pvclock_vcpu_time_info is " + SIZE + " bytes, got " + raw.length);
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        return new PvClockTimeInfo(b.getInt(0), b.getLong(8), b.getLong(16), b.getInt(24), b.get(28), b.get(29));
    }

    /** The guest's address of the structure, or -1 when the MSR value leaves kvmclock off. */
    public static long structureAddress(long msrValue) {
        return (msrValue & 1) == 0 ? -1 : msrValue & ~1L;
    }

    /** An odd version means KVM was writing the structure when it was read (msr.rst). */
    public boolean consistent() {
        return (version & 1) == 0;
    }

    /** The guest's clock at guest TSC {@code tsc}, as pvclock_clocksource_read computes it. */
    public long nanosAt(long tsc) {
        long delta = tsc - tscTimestamp;
        if (tscShift < 0) {
            delta >>>= -tscShift;
        } else {
            delta <<= tscShift;
        }
        long mul = Integer.toUnsignedLong(tscToSystemMul);
        // (delta * mul) >> 32 over 96 bits, both factors unsigned.
        long high = Math.multiplyHigh(delta, mul) + ((delta >> 63) & mul);
        long low = delta * mul;
        return systemTime + ((high << 32) | (low >>> 32));
    }
}
