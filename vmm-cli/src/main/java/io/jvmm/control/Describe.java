package io.jvmm.control;

/** What the VM is: name, state, vCPUs, memory, devices. */
public record Describe() implements Operation<VmControl.Info> {
    @Override
    public VmControl.Info apply(VmControl vm) {
        return vm.info();
    }
}
