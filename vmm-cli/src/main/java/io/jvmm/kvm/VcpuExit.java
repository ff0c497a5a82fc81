package io.jvmm.kvm;

/** Why KVM_RUN returned, decoded from struct kvm_run. */
public sealed interface VcpuExit {
    /**
     * A port-I/O read of {@code data.length / size} items of {@code size} bytes (more than
     * one for string I/O). The handler fills {@code data}; the next {@code run()} passes it
     * to the guest.
     */
    record IoIn(int port, int size, byte[] data) implements VcpuExit { }

    record IoOut(int port, int size, byte[] data) implements VcpuExit { }

    /** An MMIO read: the handler fills {@code data}; the next {@code run()} passes it on. */
    record MmioRead(long address, byte[] data) implements VcpuExit { }

    record MmioWrite(long address, byte[] data) implements VcpuExit { }

    record Hlt() implements VcpuExit { }

    /** Triple fault or similar: the vCPU cannot continue (KVM_EXIT_SHUTDOWN). */
    record Shutdown() implements VcpuExit { }

    /** KVM_EXIT_SYSTEM_EVENT: KVM_SYSTEM_EVENT_SHUTDOWN (1), RESET (2), CRASH (3). */
    record SystemEvent(int type) implements VcpuExit { }

    /** KVM_RUN returned EINTR (a kick) or KVM_EXIT_INTR. */
    record Interrupted() implements VcpuExit { }

    record FailEntry(long hardwareReason, int cpu) implements VcpuExit { }

    record InternalError(int suberror) implements VcpuExit { }

    record Unknown(int reason) implements VcpuExit { }
}
