package io.jvmm.kvm;

import com.sun.jna.Pointer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The vCPU's shared struct kvm_run page (mmap'd from the vCPU fd). Reads the exit reason and
 * its union, and writes read results back. Offsets are those of linux/kvm.h on x86-64.
 */
final class KvmRun {
    // struct kvm_run header
    private static final int IMMEDIATE_EXIT = 1;
    private static final int EXIT_REASON = 8;
    private static final int UNION = 32;
    // union members
    private static final int IO_DIRECTION = UNION;
    private static final int IO_SIZE = UNION + 1;
    private static final int IO_PORT = UNION + 2;
    private static final int IO_COUNT = UNION + 4;
    private static final int IO_DATA_OFFSET = UNION + 8;
    private static final int MMIO_PHYS_ADDR = UNION;
    private static final int MMIO_DATA = UNION + 8;
    private static final int MMIO_LEN = UNION + 16;
    private static final int MMIO_IS_WRITE = UNION + 20;

    static final int KVM_EXIT_UNKNOWN = 0;
    static final int KVM_EXIT_IO = 2;
    static final int KVM_EXIT_HLT = 5;
    static final int KVM_EXIT_MMIO = 6;
    static final int KVM_EXIT_SHUTDOWN = 8;
    static final int KVM_EXIT_FAIL_ENTRY = 9;
    static final int KVM_EXIT_INTR = 10;
    static final int KVM_EXIT_INTERNAL_ERROR = 17;
    static final int KVM_EXIT_SYSTEM_EVENT = 24;
    static final int KVM_EXIT_IO_IN = 0;

    private final ByteBuffer run;

    KvmRun(Pointer mapping, int size) {
        this.run = mapping.getByteBuffer(0, size).order(ByteOrder.nativeOrder());
    }

    void setImmediateExit(boolean on) {
        run.put(IMMEDIATE_EXIT, (byte) (on ? 1 : 0));
    }

    int exitReason() {
        return run.getInt(EXIT_REASON);
    }

    boolean ioIsIn() {
        return run.get(IO_DIRECTION) == KVM_EXIT_IO_IN;
    }

    int ioSize() {
        return run.get(IO_SIZE) & 0xff;
    }

    int ioPort() {
        return run.getShort(IO_PORT) & 0xffff;
    }

    int ioCount() {
        return run.getInt(IO_COUNT);
    }

    int ioDataOffset() {
        return (int) run.getLong(IO_DATA_OFFSET);
    }

    long mmioAddress() {
        return run.getLong(MMIO_PHYS_ADDR);
    }

    int mmioLength() {
        return run.getInt(MMIO_LEN);
    }

    boolean mmioIsWrite() {
        return run.get(MMIO_IS_WRITE) != 0;
    }

    int unionInt(int offset) {
        return run.getInt(UNION + offset);
    }

    long unionLong(int offset) {
        return run.getLong(UNION + offset);
    }

    void readBytes(int offset, byte[] dst) {
        run.get(offset, dst);
    }

    void writeBytes(int offset, byte[] src) {
        run.put(offset, src);
    }

    int mmioDataOffset() {
        return MMIO_DATA;
    }
}
