package io.jvmm.vm;

import io.jvmm.kvm.KvmClockData;
import io.jvmm.kvm.MsrEntry;
import io.jvmm.kvm.PvClockTimeInfo;
import io.jvmm.kvm.VcpuFd;
import io.jvmm.spi.GuestMemory;
import io.jvmm.spi.GuestMemoryException;

import java.util.List;

/**
 * The kvmclock value to freeze while a VM is paused (and to save in a snapshot), so that on
 * resume the guest's clock goes on from where it stopped and never runs backwards.
 *
 * <p>KVM_GET_CLOCK is the guest's own view only when KVM runs a master clock
 * ({@link KvmClockData#tscStable()}). Without one (a host whose TSC is unstable, as in the
 * nested test host) each vCPU's pvclock page extrapolates from its own last update and can be
 * seconds ahead of KVM_GET_CLOCK; setting that value back on resume would move the guest's
 * clock backwards, and the guest's pvclock keeps returning its last value until the clock has
 * caught up: no timer fires for that long. So the value is the latest any vCPU has seen, read
 * from the guest's pvclock pages at the TSC the paused vCPUs stopped at (what QEMU's
 * kvmclock does when the clock is not reliable).
 *
 * @param nanos      the value to set on resume
 * @param kvmNanos   what KVM_GET_CLOCK said
 * @param guestNanos the latest clock a vCPU's pvclock page showed, or -1 if none was read
 * @param tscStable  whether KVM said its value is the guest's view
 */
record PausedClock(long nanos, long kvmNanos, long guestNanos, boolean tscStable) {

    /** Reads it with every vCPU parked. */
    static PausedClock read(KvmClockData kvm, List<VcpuFd> vcpus, GuestMemory ram) {
        if (kvm.tscStable()) {
            return new PausedClock(kvm.nanos(), kvm.nanos(), -1, true);
        }
        long guest = -1;
        for (VcpuFd vcpu : vcpus) {
            List<MsrEntry> msrs = vcpu.getMsrs(List.of(PvClockTimeInfo.MSR_KVM_SYSTEM_TIME_NEW, PvClockTimeInfo.MSR_IA32_TSC));
            Long systemTime = value(msrs, PvClockTimeInfo.MSR_KVM_SYSTEM_TIME_NEW);
            Long tsc = value(msrs, PvClockTimeInfo.MSR_IA32_TSC);
            if (systemTime != null && tsc != null) {
                guest = Math.max(guest, guestView(systemTime, tsc, ram, -1));
            }
        }
        return new PausedClock(Math.max(guest, kvm.nanos()), kvm.nanos(), guest, false);
    }

    /** One vCPU's clock; {@code fallback} when kvmclock is off or its page is not guest RAM (an address the guest chose). */
    static long guestView(long systemTimeMsr, long tsc, GuestMemory ram, long fallback) {
        long gpa = PvClockTimeInfo.structureAddress(systemTimeMsr);
        if (gpa < 0 || !ram.isValid(gpa, PvClockTimeInfo.SIZE)) {
            return fallback;
        }
        byte[] raw = new byte[PvClockTimeInfo.SIZE];
        try {
            ram.read(gpa, raw, 0, raw.length);
        } catch (GuestMemoryException e) {
            return fallback;
        }
        PvClockTimeInfo info = PvClockTimeInfo.parse(raw);
        return info.consistent() ? info.nanosAt(tsc) : fallback;
    }

    private static Long value(List<MsrEntry> msrs, int index) {
        return msrs.stream().filter(m -> m.index() == index).map(MsrEntry::data).findFirst().orElse(null);
    }
}
