package io.jvmm.snapshot;

import io.jvmm.spi.ComponentState;

import java.util.List;
import java.util.Objects;

/**
 * Everything in a snapshot but the guest memory bytes: the config, KVM's VM and vCPU state,
 * every device's state keyed by device id, where the memory is, and the host files the
 * config named when the snapshot was taken.
 */
public record Snapshot(SnapshotConfig config, VmState vm, List<VcpuState> vcpus, List<ComponentState> devices,
                       MemoryIndex memory, HostFiles hostFiles) {
    public Snapshot {
        vcpus = List.copyOf(vcpus);
        devices = List.copyOf(devices);
        Objects.requireNonNull(hostFiles, "hostFiles");
    }

    /** A snapshot with no host files recorded. */
    public Snapshot(SnapshotConfig config, VmState vm, List<VcpuState> vcpus, List<ComponentState> devices,
                    MemoryIndex memory) {
        this(config, vm, vcpus, devices, memory, HostFiles.NONE);
    }
}
