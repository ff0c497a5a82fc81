package io.jvmm.vm;

import io.jvmm.kvm.VcpuExit;

/**
 * A vCPU as its run loop ({@link VcpuRunner}) sees it: something that runs the guest until the
 * next exit and can be kicked out of that from another thread. {@link KvmVcpuExits} is the
 * KVM one; tests drive the loop with a scripted one.
 */
interface VcpuExits {
    /** The vCPU's index, for messages. */
    int index();

    /** Called once on the vCPU's own thread before the first {@link #run()}: makes kicks reach it. */
    void attachCurrentThread();

    /** Runs the guest until the next exit (KVM_RUN); the data of a read exit goes to the guest on the next call. */
    VcpuExit run();

    /** Makes the next (or current) {@link #run()} return at once (kvm_run.immediate_exit). */
    void setImmediateExit(boolean on);

    /** From any thread: makes the attached thread leave {@link #run()} soon. Nothing before it is attached. */
    void kick();

    /** On the vCPU's own thread: forgets a kick that is still pending. */
    void drainKicks();

    /** The registers in words for a crash report, or why they cannot be read. */
    String stateReport();

    /** The instruction pointer, or -1 when it cannot be read. */
    long rip();
}
