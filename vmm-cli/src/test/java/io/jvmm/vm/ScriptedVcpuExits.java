package io.jvmm.vm;

import io.jvmm.kvm.VcpuExit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

/**
 * A vCPU for run-loop tests: {@link #run()} hands out scripted exits (or throws what a step
 * throws), then halts until stopped. No KVM.
 */
final class ScriptedVcpuExits implements VcpuExits {
    private final Deque<Supplier<VcpuExit>> script = new ArrayDeque<>();
    private volatile boolean immediateExit;
    volatile int runs;

    /** The next exit {@link #run()} returns. */
    ScriptedVcpuExits then(VcpuExit exit) {
        script.add(() -> exit);
        return this;
    }

    /** A step whose {@link #run()} throws {@code error}. */
    ScriptedVcpuExits thenThrow(Error error) {
        script.add(() -> {
            throw error;
        });
        return this;
    }

    @Override
    public int index() {
        return 0;
    }

    @Override
    public void attachCurrentThread() {
    }

    @Override
    public synchronized VcpuExit run() {
        runs++;
        Supplier<VcpuExit> next = script.poll();
        if (next != null) {
            return next.get();
        }
        // Out of script: the guest halts until the loop is told to stop.
        while (!immediateExit) {
            try {
                wait(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return new VcpuExit.Interrupted();
    }

    @Override
    public void setImmediateExit(boolean on) {
        immediateExit = on;
    }

    @Override
    public void kick() {
    }

    @Override
    public void drainKicks() {
    }

    @Override
    public String stateReport() {
        return "(scripted vCPU)";
    }

    @Override
    public long rip() {
        return 0;
    }
}
