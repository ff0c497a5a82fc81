package io.jvmm.memory;

import io.jvmm.kvm.VmFd;

import java.util.BitSet;

/** Hands out KVM memory slot numbers and installs or removes slots. */
public final class MemorySlots {
    private final VmFd vm;
    private final BitSet used = new BitSet();

    public MemorySlots(VmFd vm) {
        this.vm = vm;
    }

    /** Installs host memory at a guest address in a new slot and returns the slot number. */
    public synchronized int add(long guestAddress, long size, long hostAddress, boolean readOnly) {
        int slot = used.nextClearBit(0);
        vm.setUserMemoryRegion(slot, readOnly ? VmFd.KVM_MEM_READONLY : 0, guestAddress, size, hostAddress);
        used.set(slot);
        return slot;
    }

    /** Removes a slot (KVM deletes a slot whose size is set to 0). */
    public synchronized void remove(int slot) {
        vm.setUserMemoryRegion(slot, 0, 0, 0, 0);
        used.clear(slot);
    }
}
