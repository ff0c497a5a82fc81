package io.jvmm.control;

import io.jvmm.vm.VmException;

/** Asks the guest to power off (ACPI power button) or, with {@code force}, ends the VM at once. */
public record Shutdown(boolean force) implements Operation<VmControl.State> {
    @Override
    public VmControl.State apply(VmControl vm) throws VmException {
        if (vm.state() == VmControl.State.STOPPED) {
            throw new VmException("the VM has stopped");
        }
        vm.requestShutdown(force);
        return vm.state();
    }
}
