package io.jvmm.kvm;

/**
 * struct kvm_clock_data as KVM_GET_CLOCK fills it: the VM's kvmclock in ns and its flags.
 *
 * @param nanos kvmclock now, as the host computes it
 * @param flags KVM_CLOCK_* bits; see {@link #tscStable()}
 */
public record KvmClockData(long nanos, int flags) {
    /** The size of struct kvm_clock_data (api.rst 4.53: clock, flags, pad0, realtime, host_tsc, pad[4]). */
    static final int SIZE = 48;
    /**
     * KVM_CLOCK_TSC_STABLE: the host uses one master clock for every vCPU, so {@link #nanos()}
     * is exactly what the guest reads. Without it each vCPU's pvclock page extrapolates on its own
     * and may already be ahead of this value (api.rst 4.52).
     */
    public static final int KVM_CLOCK_TSC_STABLE = 2;

    public boolean tscStable() {
        return (flags & KVM_CLOCK_TSC_STABLE) != 0;
    }
}
