package io.jvmm.control;

import io.jvmm.vm.VmException;

/** Continues a paused VM; answers the new state. */
public record Resume() implements Operation<VmControl.State> {
    @Override
    public VmControl.State apply(VmControl vm) throws VmException {
        vm.resume();
        return vm.state();
    }
}
