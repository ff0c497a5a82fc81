package io.jvmm.vm;

import io.jvmm.kvm.VcpuExit;
import java.util.concurrent.CountDownLatch;

/**
 * A vCPU whose kicks behave as jvmm's real-time signal does with KVM (VcpuSignal): a kick
 * stays pending, blocked, until {@link #drainKicks()} consumes it, and every {@link #run()}
 * while it is pending returns at once, as KVM_RUN returns EINTR while a signal its mask
 * unblocks is pending (api.rst 4.21; kvm_userspace_exit "restart" in L1's trace). A kick
 * is delivered only once {@link #deliverKicks} is opened, so a test can make it land after
 * the vCPU has parked. No KVM.
 */
final class SignalModelVcpuExits implements VcpuExits {
    /** Opened by the test: kick() waits for it before the signal is pending. */
    final CountDownLatch deliverKicks = new CountDownLatch(1);
    private volatile boolean immediateExit;
    private volatile boolean kickPending;
    /** Times the guest ran: a run() with nothing pending. */
    volatile int guestRuns;

    @Override
    public int index() {
        return 0;
    }

    @Override
    public void attachCurrentThread() {
    }

    @Override
    public VcpuExit run() {
        if (immediateExit || kickPending) {
            return new VcpuExit.Interrupted();
        }
        guestRuns++;
        try {
            Thread.sleep(1); // the guest runs until its next halt
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new VcpuExit.Hlt();
    }

    @Override
    public void setImmediateExit(boolean on) {
        immediateExit = on;
    }

    @Override
    public void kick() {
        try {
            deliverKicks.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kickPending = true;
    }

    @Override
    public void drainKicks() {
        kickPending = false;
    }

    @Override
    public String stateReport() {
        return "(signal-model vCPU)";
    }

    @Override
    public long rip() {
        return 0;
    }
}
