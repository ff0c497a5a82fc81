package io.jvmm.vm;

import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.VcpuFd;
import io.jvmm.kvm.VmFd;
import io.jvmm.memory.AnonymousMemory;
import io.jvmm.spi.Device;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A built VM: KVM fds, guest RAM, devices and vCPUs, ready to run. {@link #run()} starts one
 * thread per vCPU and waits until the guest powers off, resets, or something fails.
 */
public final class Vm implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Vm.class);
    private static final long VCPU_JOIN_MILLIS = 500;

    private final String name;
    private final Kvm kvm;
    private final VmFd vmFd;
    private final List<AnonymousMemory> ram;
    private final List<VcpuFd> vcpus;
    private final List<Device> devices;
    private final VmBuses buses;
    private final CompletableFuture<VmExit> stopped;
    private final List<VcpuRunner> runners = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    Vm(String name, Kvm kvm, VmFd vmFd, List<AnonymousMemory> ram, List<VcpuFd> vcpus, List<Device> devices,
       VmBuses buses, CompletableFuture<VmExit> stopped) {
        this.name = name;
        this.kvm = kvm;
        this.vmFd = vmFd;
        this.ram = List.copyOf(ram);
        this.vcpus = List.copyOf(vcpus);
        this.devices = List.copyOf(devices);
        this.buses = buses;
        this.stopped = stopped;
    }

    /** Runs the guest until it stops; returns how it stopped. */
    public VmExit run() throws VmException {
        VcpuRunner.StopListener listener = new VcpuRunner.StopListener() {
            @Override
            public void guestStopped(VmExit reason) {
                stopped.complete(reason);
            }

            @Override
            public void vcpuFailed(int vcpu, String message) {
                stopped.completeExceptionally(new VmException("vCPU " + vcpu + ": " + message));
            }
        };
        var misses = VcpuRunner.newMissSet();
        for (VcpuFd vcpu : vcpus) {
            VcpuRunner runner = new VcpuRunner(vcpu, buses.pio(), buses.mmio(), listener, misses);
            Thread t = new Thread(runner, name + "-vcpu" + vcpu.index());
            t.setDaemon(true);
            runners.add(runner);
            threads.add(t);
        }
        log.info("starting {} with {} vCPU(s)", name, vcpus.size());
        threads.forEach(Thread::start);
        try {
            return stopped.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof VmException vmException) {
                throw vmException;
            }
            throw new VmException("VM failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted while the VM was running", e);
        } finally {
            stopVcpus();
        }
    }

    /** Ends the VM from outside the guest (e.g. the console's quit key). */
    public void requestStop(VmExit reason) {
        stopped.complete(reason);
    }

    private void stopVcpus() {
        runners.forEach(VcpuRunner::stop);
        for (Thread t : threads) {
            try {
                t.join(VCPU_JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private boolean allVcpusStopped() {
        return threads.stream().noneMatch(Thread::isAlive);
    }

    @Override
    public void close() {
        for (Device d : devices) {
            try {
                d.close();
            } catch (RuntimeException e) {
                log.warn("device {} did not close cleanly: {}", d.id(), e.toString());
            }
        }
        if (!allVcpusStopped()) {
            // A vCPU still sits in KVM_RUN (halted with interrupts off after the guest stopped
            // its CPUs): freeing its memory or fds under it is unsafe; process exit reclaims them.
            log.debug("{} vCPU thread(s) still in KVM_RUN; leaving KVM resources to process exit",
                    threads.stream().filter(Thread::isAlive).count());
            return;
        }
        vcpus.forEach(VcpuFd::close);
        vmFd.close();
        ram.forEach(AnonymousMemory::close);
        kvm.close();
    }
}
