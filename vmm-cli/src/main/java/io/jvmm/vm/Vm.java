package io.jvmm.vm;

import io.jvmm.config.ConfigException;
import io.jvmm.control.VmControl;
import io.jvmm.devices.legacy.AcpiPmDevice;
import io.jvmm.host.CompilerThreads;
import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmException;
import io.jvmm.kvm.VcpuFd;
import io.jvmm.kvm.VmFd;
import io.jvmm.memory.GuestRam;
import io.jvmm.memory.HostMemory;
import io.jvmm.snapshot.MemoryImage;
import io.jvmm.snapshot.MemoryIndex;
import io.jvmm.snapshot.Snapshot;
import io.jvmm.snapshot.SnapshotConfig;
import io.jvmm.snapshot.SnapshotException;
import io.jvmm.snapshot.HostFiles;
import io.jvmm.snapshot.SnapshotDirWriter;
import io.jvmm.snapshot.SnapshotFile;
import io.jvmm.snapshot.SnapshotProgress;
import io.jvmm.snapshot.VcpuState;
import io.jvmm.snapshot.VmState;
import io.jvmm.spi.ComponentState;
import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceCommand;
import io.jvmm.spi.DeviceCommands;
import io.jvmm.spi.Pausable;
import io.jvmm.spi.RamRegion;
import io.jvmm.spi.Snapshottable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A built VM: KVM fds, guest RAM, devices and vCPUs, ready to run. {@link #run()} starts one
 * thread per vCPU and waits until the guest powers off, resets, or something fails; other
 * threads control it through {@link VmControl}.
 */
public final class Vm implements AutoCloseable, VmControl {
    private static final Logger log = LoggerFactory.getLogger(Vm.class);
    private static final long VCPU_JOIN_MILLIS = 500;
    private static final long PAUSE_TIMEOUT_MILLIS = 5000;

    private final String name;
    private final Kvm kvm;
    private final VmFd vmFd;
    private final List<HostMemory> ram;
    private final List<RamRegion> ramRegions;
    private final List<VcpuFd> vcpus;
    private final List<Device> devices;
    private final VmBuses buses;
    private final CompletableFuture<VmExit> stopped;
    private final SnapshotConfig snapshotConfig;
    private final List<VcpuRunner> runners = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile State state = State.CREATED;
    private long pausedClock;
    private List<Integer> msrIndices;

    Vm(String name, Kvm kvm, VmFd vmFd, List<HostMemory> ram, List<RamRegion> ramRegions, List<VcpuFd> vcpus,
       List<Device> devices, VmBuses buses, CompletableFuture<VmExit> stopped, SnapshotConfig snapshotConfig) {
        this.name = name;
        this.kvm = kvm;
        this.vmFd = vmFd;
        this.ram = List.copyOf(ram);
        this.ramRegions = List.copyOf(ramRegions);
        this.vcpus = List.copyOf(vcpus);
        this.devices = List.copyOf(devices);
        this.buses = buses;
        this.stopped = stopped;
        this.snapshotConfig = snapshotConfig;
    }

    /** Runs the guest until it stops; returns how it stopped. */
    public VmExit run() throws VmException {
        VcpuRunner.StopListener listener = VcpuRunner.StopListener.completing(stopped);
        MissedAccesses misses = new MissedAccesses();
        synchronized (this) {
            for (VcpuFd vcpu : vcpus) {
                VcpuRunner runner = new VcpuRunner(new KvmVcpuExits(vcpu), buses.pio(), buses.mmio(), listener, misses);
                Thread t = new Thread(runner, name + "-vcpu" + vcpu.index());
                t.setDaemon(true);
                // The runner reports its own failures; this is for one that fails while doing so.
                t.setUncaughtExceptionHandler((thread, e) -> stopped.completeExceptionally(
                        new VmException("vCPU thread " + thread.getName() + " died: " + e, e)));
                runners.add(runner);
                threads.add(t);
            }
            log.info("starting {} with {} vCPU(s)", name, vcpus.size());
            state = State.RUNNING;
            threads.forEach(Thread::start);
        }
        // The start is over: from here the guest's vCPUs may keep every CPU busy, and the device
        // paths must not wait for compilers left at a lower priority (CompilerThreads).
        CompilerThreads.restorePriority();
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
    @Override
    public void stop(VmExit reason) {
        stopped.complete(reason);
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public synchronized void pause() throws VmException {
        requireState(State.RUNNING, "pause");
        CountDownLatch parked = new CountDownLatch(runners.size());
        runners.forEach(r -> r.requestPause(parked));
        try {
            if (!parked.await(PAUSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                runners.forEach(VcpuRunner::resume);
                throw new VmException("pause: " + parked.getCount() + " vCPU(s) did not stop within "
                        + PAUSE_TIMEOUT_MILLIS + " ms; the VM keeps running");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runners.forEach(VcpuRunner::resume);
            throw new VmException("interrupted while pausing", e);
        }
        for (Device d : devices) {
            if (d instanceof Pausable p) {
                p.pause();
            }
        }
        PausedClock clock;
        try {
            clock = PausedClock.read(vmFd.getClock(), vcpus, new GuestRam(ramRegions));
        } catch (KvmException e) {
            resumeDevicesAndVcpus();
            throw new VmException("pause: " + e.getMessage(), e);
        }
        pausedClock = clock.nanos();
        state = State.PAUSED;
        if (clock.tscStable()) {
            log.info("{} paused (guest clock {} ns)", name, pausedClock);
        } else {
            log.info("{} paused (guest clock {} ns: KVM_GET_CLOCK, not TSC-stable here, said {} ns, the vCPUs' pvclock"
                    + " pages {})", name, pausedClock, clock.kvmNanos(),
                    clock.guestNanos() < 0 ? "were not read" : "up to " + clock.guestNanos() + " ns");
        }
    }

    @Override
    public synchronized void resume() throws VmException {
        requireState(State.PAUSED, "resume");
        try {
            vmFd.setClock(pausedClock);
        } catch (KvmException e) {
            throw new VmException("resume: " + e.getMessage(), e);
        }
        resumeDevicesAndVcpus();
        state = State.RUNNING;
        log.info("{} resumed", name);
    }

    private void resumeDevicesAndVcpus() {
        for (Device d : devices) {
            if (d instanceof Pausable p) {
                p.resume();
            }
        }
        runners.forEach(VcpuRunner::resume);
    }

    private void requireState(State wanted, String what) throws VmException {
        if (state != wanted) {
            throw new VmException("cannot " + what + ": the VM is " + state.name().toLowerCase()
                    + (wanted == State.PAUSED ? " (pause it first)" : ""));
        }
    }

    @Override
    public synchronized void snapshot(Path dir, SnapshotProgress progress) throws VmException, SnapshotException {
        requireState(State.PAUSED, "snapshot");
        List<Snapshottable> parts = new ArrayList<>();
        for (Device d : devices) {
            if (!(d instanceof Snapshottable s)) {
                throw new SnapshotException("cannot snapshot: device '" + d.id() + "' (" + d.getClass().getSimpleName()
                        + ") does not support snapshots; nothing was written");
            }
            parts.add(s);
        }
        long start = System.nanoTime();
        try {
            VmState vmState = new VmState(vmFd.getIrqChip(VmFd.IRQCHIP_PIC_MASTER),
                    vmFd.getIrqChip(VmFd.IRQCHIP_PIC_SLAVE), vmFd.getIrqChip(VmFd.IRQCHIP_IOAPIC), vmFd.getPit2(),
                    pausedClock);
            if (msrIndices == null) {
                msrIndices = kvm.msrIndexList();
            }
            List<VcpuState> vcpuStates = new ArrayList<>();
            for (VcpuFd v : vcpus) {
                vcpuStates.add(VcpuStates.save(v, msrIndices));
            }
            List<ComponentState> deviceStates = new ArrayList<>();
            for (Snapshottable s : parts) {
                ComponentState cs;
                try {
                    cs = s.saveState();
                } catch (RuntimeException e) {
                    // A plugin's device that turns out not to be snapshottable now (e.g. a virtio
                    // device whose worker did not stop): refuse, as for a device without support.
                    throw new SnapshotException("cannot snapshot: device '" + s.snapshotId() + "': " + e.getMessage()
                            + "; nothing was written", e);
                }
                if (!cs.id().equals(s.snapshotId())) {
                    throw new SnapshotException("device '" + s.snapshotId() + "' saved its state under id '" + cs.id() + "'");
                }
                deviceStates.add(cs);
            }
            MemoryIndex memory;
            try (SnapshotDirWriter writer = SnapshotDirWriter.begin(dir)) {
                memory = MemoryImage.write(ramRegions, writer.dir(), progress);
                SnapshotFile.write(writer.dir(), new Snapshot(snapshotConfig, vmState, vcpuStates, deviceStates, memory,
                        hostFiles()));
                writer.commit();
            }
            log.info("snapshot of {} written to {} in {} ms ({} MiB of data for {} MiB of RAM)", name, dir,
                    (System.nanoTime() - start) / 1_000_000, memory.dataBytes() >> 20, memory.fileSize() >> 20);
        } catch (KvmException e) {
            throw new VmException("snapshot: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SnapshotException("cannot write the snapshot to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The host files the snapshot's config names, as they are now, for restore to compare
     * with; none if the config no longer loads (restore then refuses it anyway).
     */
    private HostFiles hostFiles() {
        try {
            return HostFileCheck.record(snapshotConfig);
        } catch (ConfigException | RuntimeException e) {
            log.warn("snapshot of {}: its host files are not recorded ({}); restore will not compare them", name,
                    e.getMessage());
            return HostFiles.NONE;
        }
    }

    @Override
    public void requestShutdown(boolean force) {
        if (force) {
            stopped.complete(VmExit.STOPPED_BY_USER);
            return;
        }
        for (Device d : devices) {
            if (d instanceof AcpiPmDevice pm) {
                pm.pressPowerButton();
                return;
            }
        }
        stopped.complete(VmExit.STOPPED_BY_USER);
    }

    @Override
    public Info info() {
        List<DeviceInfo> list = devices.stream()
                .map(d -> new DeviceInfo(d.id(), d.getClass().getSimpleName(), d instanceof Snapshottable,
                        commandsOf(d).stream().map(DeviceCommand::name).toList())).toList();
        return new Info(name, state, vcpus.size(), snapshotConfig.memoryBytes(), list);
    }

    @Override
    public List<DeviceCommand> deviceCommands(String deviceId) throws VmException {
        Device device = devices.stream().filter(d -> d.id().equals(deviceId)).findFirst()
                .orElseThrow(() -> new VmException("no device '" + deviceId + "' (devices: "
                        + String.join(", ", devices.stream().map(Device::id).toList()) + ")"));
        return commandsOf(device);
    }

    /** A plugin's list, guarded: a device that throws while listing offers nothing rather than failing info. */
    private static List<DeviceCommand> commandsOf(Device device) {
        if (!(device instanceof DeviceCommands offering)) {
            return List.of();
        }
        try {
            return List.copyOf(offering.commands());
        } catch (RuntimeException e) {
            log.warn("{}: listing its commands failed: {}", device.id(), e.toString());
            return List.of();
        }
    }

    private void stopVcpus() {
        synchronized (this) {
            state = State.STOPPED;
        }
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
        ram.forEach(HostMemory::close);
        kvm.close();
    }
}
