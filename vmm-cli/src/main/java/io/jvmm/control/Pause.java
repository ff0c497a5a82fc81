package io.jvmm.control;

import io.jvmm.vm.VmException;

/** Stops the vCPUs and freezes the guest clock; answers the new state. */
public record Pause() implements Operation<VmControl.State> {
    @Override
    public VmControl.State apply(VmControl vm) throws VmException {
        vm.pause();
        return vm.state();
    }
}
