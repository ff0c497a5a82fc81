package io.jvmm.vm;

import io.jvmm.bus.Bus;
import io.jvmm.kvm.KvmException;
import io.jvmm.kvm.VcpuExit;
import io.jvmm.seccomp.SeccompPolicy;
import io.jvmm.seccomp.ThreadKind;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;

/**
 * One vCPU's thread body: KVM_RUN, then hand the exit to the port-I/O or MMIO bus, until the
 * guest stops the machine or the VM is torn down.
 *
 * <p>Whatever ends the loop other than the guest ends the VM through
 * {@link StopListener#vcpuFailed}: a KVM error, a device that threw on an access, or an Error
 * (the heap or the stack ran out, a plugin's assertion failed). A vCPU thread never just dies
 * and leaves the VM waiting for it.
 */
final class VcpuRunner implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(VcpuRunner.class);
    /** KVM_SYSTEM_EVENT_* (linux/kvm.h). */
    private static final int SYSTEM_EVENT_SHUTDOWN = 1;
    private static final int SYSTEM_EVENT_RESET = 2;

    /** Where a vCPU reports that the machine must stop. */
    interface StopListener {
        void guestStopped(VmExit reason);

        void vcpuFailed(int vcpu, String message);

        /** Completes {@code ended} with how the guest stopped, or with a VmException naming the vCPU. */
        static StopListener completing(java.util.concurrent.CompletableFuture<VmExit> ended) {
            return new StopListener() {
                @Override
                public void guestStopped(VmExit reason) {
                    ended.complete(reason);
                }

                @Override
                public void vcpuFailed(int vcpu, String message) {
                    ended.completeExceptionally(new VmException("vCPU " + vcpu + ": " + message));
                }
            };
        }
    }

    private final VcpuExits vcpu;
    private final Bus pio;
    private final Bus mmio;
    private final StopListener listener;
    private final MissedAccesses misses;
    private volatile boolean stopping;
    private volatile boolean pauseRequested;
    private volatile CountDownLatch parked;
    private volatile boolean finished;

    VcpuRunner(VcpuExits vcpu, Bus pio, Bus mmio, StopListener listener, MissedAccesses misses) {
        this.vcpu = vcpu;
        this.pio = pio;
        this.mmio = mmio;
        this.listener = listener;
        this.misses = misses;
    }

    /** Asks the loop to end at its next exit. */
    void stop() {
        stopping = true;
        vcpu.setImmediateExit(true);
        kick();
        synchronized (this) {
            notifyAll();
        }
    }

    /**
     * Asks the vCPU to leave KVM_RUN and wait; it counts {@code latch} down once it is parked
     * with its pending I/O completed. immediate_exit is set before the signal, so a kick that
     * arrives before the thread enters KVM_RUN is not lost.
     */
    void requestPause(CountDownLatch latch) {
        parked = latch;
        pauseRequested = true;
        vcpu.setImmediateExit(true);
        if (finished) {
            latch.countDown();
            return;
        }
        kick();
    }

    void resume() {
        synchronized (this) {
            pauseRequested = false;
            notifyAll();
        }
    }

    /** Whether the loop has ended. */
    boolean finished() {
        return finished;
    }

    private void kick() {
        if (!finished) {
            vcpu.kick();
        }
    }

    /** Parks this vCPU until resumed; first lets KVM finish a pending port/MMIO read (api.rst: KVM_RUN with immediate_exit). */
    private boolean park() {
        vcpu.setImmediateExit(true);
        for (int i = 0; i < 8; i++) {
            VcpuExit exit = vcpu.run();
            if (exit instanceof VcpuExit.Interrupted) {
                break;
            }
            if (!handle(exit)) {
                return false;
            }
        }
        vcpu.drainKicks();
        CountDownLatch latch = parked;
        if (latch != null) {
            latch.countDown();
        }
        synchronized (this) {
            while (pauseRequested && !stopping) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        if (!stopping) {
            vcpu.setImmediateExit(false);
        }
        return true;
    }

    @Override
    public void run() {
        try {
            vcpu.attachCurrentThread();
            SeccompPolicy.installOnThisThread(ThreadKind.VCPU);
            StartupTimeline.firstKvmRun();
            while (!stopping) {
                if (pauseRequested) {
                    if (!park()) {
                        return;
                    }
                    continue;
                }
                VcpuExit exit = vcpu.run();
                if (!handle(exit)) {
                    return;
                }
            }
        } catch (KvmException e) {
            if (!stopping) {
                listener.vcpuFailed(vcpu.index(), e.getMessage());
            }
        } catch (RuntimeException e) {
            log.error("vCPU {} crashed in the VMM", vcpu.index(), e);
            listener.vcpuFailed(vcpu.index(), "internal error: " + e);
        } catch (Error e) {
            // The VM ends first: reporting needs little heap, a stack trace in the log much more.
            listener.vcpuFailed(vcpu.index(), "thread " + Thread.currentThread().getName() + " died: " + e);
            log.error("vCPU {} died in the VMM", vcpu.index(), e);
        } finally {
            finished = true;
            CountDownLatch latch = parked;
            if (latch != null) {
                latch.countDown();
            }
        }
    }

    /** Returns false when this vCPU must not run again. */
    private boolean handle(VcpuExit exit) {
        if (exit instanceof VcpuExit.IoOut out) {
            byte[] item = new byte[out.size()];
            for (int at = 0; at < out.data().length; at += out.size()) {
                System.arraycopy(out.data(), at, item, 0, out.size());
                if (!pio.write(out.port(), item)) {
                    misses.miss(vcpu.index(), true, out.port());
                }
            }
        } else if (exit instanceof VcpuExit.IoIn in) {
            byte[] item = new byte[in.size()];
            for (int at = 0; at < in.data().length; at += in.size()) {
                if (!pio.read(in.port(), item)) {
                    Arrays.fill(item, (byte) 0xff);
                    misses.miss(vcpu.index(), true, in.port());
                }
                System.arraycopy(item, 0, in.data(), at, in.size());
            }
        } else if (exit instanceof VcpuExit.MmioRead read) {
            if (!mmio.read(read.address(), read.data())) {
                Arrays.fill(read.data(), (byte) 0xff);
                misses.miss(vcpu.index(), false, read.address());
            }
        } else if (exit instanceof VcpuExit.MmioWrite write) {
            if (!mmio.write(write.address(), write.data())) {
                misses.miss(vcpu.index(), false, write.address());
            }
        } else if (exit instanceof VcpuExit.Interrupted) {
            // A kick's signal stays pending (blocked outside KVM_RUN) until drained, and every
            // KVM_RUN returns EINTR while it is (api.rst 4.21). A pause's kick can land after
            // park() drained, once the thread had already left KVM_RUN on immediate_exit; left
            // pending, it kept the resumed guest from ever running (VcpuRunnerTest). One
            // sigtimedwait per EINTR, and EINTR comes only from kicks.
            vcpu.drainKicks();
            return true;
        } else if (exit instanceof VcpuExit.Hlt) {
            return true;
        } else if (exit instanceof VcpuExit.Shutdown) {
            log.warn("vCPU {}: the guest triple-faulted (KVM_EXIT_SHUTDOWN); {}", vcpu.index(), vcpu.stateReport());
            listener.guestStopped(VmExit.TRIPLE_FAULT);
            return false;
        } else if (exit instanceof VcpuExit.SystemEvent event) {
            switch (event.type()) {
                case SYSTEM_EVENT_SHUTDOWN -> listener.guestStopped(VmExit.POWER_OFF);
                case SYSTEM_EVENT_RESET -> listener.guestStopped(VmExit.RESET);
                default -> listener.vcpuFailed(vcpu.index(), "guest crash event (type " + event.type() + ")");
            }
            return false;
        } else {
            listener.vcpuFailed(vcpu.index(), "unexpected exit " + exit + " at rip=0x" + Long.toHexString(vcpu.rip()));
            return false;
        }
        return true;
    }
}
