package io.jvmm.kvm;

import java.util.Arrays;
import java.util.Objects;

/**
 * A KVM state struct kept as its raw bytes (x86-64 layout of linux/kvm.h): what a snapshot
 * saves and restores without interpreting it. The length is checked against the struct, so a
 * value read from an untrusted file can only reach the ioctl of its own kind.
 *
 * @param kind  which struct
 * @param bytes exactly {@code kind.size()} bytes
 */
public record KvmStruct(Kind kind, byte[] bytes) {
    /** The structs with their sizes (sizeof on x86-64). */
    public enum Kind {
        /** struct kvm_fpu. */
        FPU(416),
        /** struct kvm_xsave (the legacy 4 KiB area of KVM_GET_XSAVE). */
        XSAVE(4096),
        /** struct kvm_xcrs: nr_xcrs, flags, 16 x {xcr, reserved, value}, 16 x u64 padding. */
        XCRS(392),
        /** struct kvm_vcpu_events. */
        VCPU_EVENTS(64),
        /** struct kvm_debugregs: db[4], dr6, dr7, flags, reserved[9]. */
        DEBUGREGS(128),
        /** struct kvm_irqchip: chip_id, pad, 512-byte union (PIC or IOAPIC state). */
        IRQCHIP(520),
        /** struct kvm_pit_state2: 3 channels of 24 bytes, flags, reserved[9]. */
        PIT2(112),
        /** struct kvm_clock_data. */
        CLOCK(48);

        private final int size;

        Kind(int size) {
            this.size = size;
        }

        public int size() {
            return size;
        }
    }

    public KvmStruct {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != kind.size()) {
            throw new IllegalArgumentException(kind + " state must be " + kind.size() + " bytes, not " + bytes.length);
        }
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The little-endian u32 at {@code offset}. */
    public int u32(int offset) {
        return (bytes[offset] & 0xff) | (bytes[offset + 1] & 0xff) << 8 | (bytes[offset + 2] & 0xff) << 16
                | (bytes[offset + 3] & 0xff) << 24;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KvmStruct s && s.kind == kind && Arrays.equals(s.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return 31 * kind.hashCode() + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "KvmStruct[" + kind + "]";
    }
}
