package io.jvmm.snapshot;

import io.jvmm.spi.ComponentState;

import java.util.List;

/**
 * Everything in a snapshot but the guest memory bytes: the config, KVM's VM and vCPU state,
 * every device's state keyed by device id, and where the memory is.
 */
public record Snapshot(SnapshotConfig config, VmState vm, List<VcpuState> vcpus, List<ComponentState> devices,
                       MemoryIndex memory) {
    public Snapshot {
        vcpus = List.copyOf(vcpus);
        devices = List.copyOf(devices);
    }
}
