package io.jvmm.kvm;

/** struct kvm_lapic_state: the local APIC's 1 KiB register page. */
public record LapicState(byte[] registers) {
    public static final int SIZE = 1024;

    public LapicState {
        if (registers.length != SIZE) {
            throw new IllegalArgumentException("LAPIC state must be 1024 bytes");
        }
        registers = registers.clone();
    }

    @Override
    public byte[] registers() {
        return registers.clone();
    }

    public int register(int offset) {
        return (registers[offset] & 0xff) | (registers[offset + 1] & 0xff) << 8 | (registers[offset + 2] & 0xff) << 16
                | (registers[offset + 3] & 0xff) << 24;
    }

    public LapicState withRegister(int offset, int value) {
        byte[] r = registers.clone();
        r[offset] = (byte) value;
        r[offset + 1] = (byte) (value >>> 8);
        r[offset + 2] = (byte) (value >>> 16);
        r[offset + 3] = (byte) (value >>> 24);
        return new LapicState(r);
    }
}
