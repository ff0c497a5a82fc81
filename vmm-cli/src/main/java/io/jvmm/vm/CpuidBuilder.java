package io.jvmm.vm;

import io.jvmm.kvm.CpuidEntry;

import java.util.ArrayList;
import java.util.List;

/**
 * Derives one vCPU's CPUID table from what KVM supports: per-vCPU APIC ids and a topology
 * of {@code count} single-threaded cores in one package, so Linux's topology code (Intel
 * leaf 0xB, AMD leaves 0x80000008/0x8000001E) agrees with the MADT.
 */
public final class CpuidBuilder {
    private static final int LEAF_FEATURES = 0x1;
    private static final int LEAF_CACHE_PARAMS = 0x4;
    private static final int LEAF_EXT_TOPOLOGY = 0xb;
    private static final int LEAF_V2_EXT_TOPOLOGY = 0x1f;
    private static final int LEAF_AMD_FEATURES = 0x8000_0001;
    private static final int LEAF_AMD_SIZES = 0x8000_0008;
    private static final int LEAF_AMD_EXT_APIC_ID = 0x8000_001e;
    /** CPUID.1:ECX bit 31: running under a hypervisor. */
    private static final int ECX_HYPERVISOR = 1 << 31;
    /** CPUID.1:ECX bit 24: the LAPIC timer has TSC-deadline mode. */
    private static final int ECX_TSC_DEADLINE = 1 << 24;
    /** CPUID.1:EDX bit 28: more than one logical processor per package. */
    private static final int EDX_HTT = 1 << 28;
    /** CPUID.80000001h:ECX bit 1: core multi-processing legacy mode (AMD). */
    private static final int ECX_CMP_LEGACY = 1 << 1;
    /** Topology level types in leaf 0xB ECX[15:8] (Intel SDM vol. 2A, CPUID leaf 0BH). */
    private static final int LEVEL_SMT = 1;
    private static final int LEVEL_CORE = 2;

    private CpuidBuilder() {
    }

    /**
     * @param tscDeadline KVM_CAP_TSC_DEADLINE_TIMER: KVM emulates the deadline timer but does not
     *                    list it in KVM_GET_SUPPORTED_CPUID, so the VMM sets the bit itself.
     *                    Without it Linux calibrates the LAPIC timer against the PIT, which fails
     *                    under nested virtualisation ("APIC timer disabled").
     */
    public static List<CpuidEntry> forVcpu(List<CpuidEntry> supported, int apicId, int vcpuCount, boolean tscDeadline) {
        int coreShift = vcpuCount <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(vcpuCount - 1);
        List<CpuidEntry> out = new ArrayList<>(supported.size());
        for (CpuidEntry e : supported) {
            CpuidEntry adjusted = adjust(e, apicId, vcpuCount, coreShift);
            if (tscDeadline && adjusted.function() == LEAF_FEATURES) {
                adjusted = adjusted.withRegisters(adjusted.eax(), adjusted.ebx(), adjusted.ecx() | ECX_TSC_DEADLINE,
                        adjusted.edx());
            }
            out.add(adjusted);
        }
        return out;
    }

    private static CpuidEntry adjust(CpuidEntry e, int apicId, int count, int coreShift) {
        switch (e.function()) {
            case LEAF_FEATURES: {
                // EBX: [31:24] initial APIC id, [23:16] logical processors per package, [15:8] CLFLUSH line / 8.
                int ebx = (apicId << 24) | ((count & 0xff) << 16) | (8 << 8) | (e.ebx() & 0xff);
                int edx = count > 1 ? e.edx() | EDX_HTT : e.edx() & ~EDX_HTT;
                return e.withRegisters(e.eax(), ebx, e.ecx() | ECX_HYPERVISOR, edx);
            }
            case LEAF_CACHE_PARAMS: {
                // EAX[31:26]: cores per package - 1; EAX[25:14]: threads sharing this cache - 1 (one per core).
                int eax = (e.eax() & 0x3fff) | ((count - 1) << 26);
                return e.withRegisters(eax, e.ebx(), e.ecx(), e.edx());
            }
            case LEAF_EXT_TOPOLOGY:
            case LEAF_V2_EXT_TOPOLOGY:
                return topologyLevel(e, apicId, count, coreShift);
            case LEAF_AMD_FEATURES:
                return e.withRegisters(e.eax(), e.ebx(), count > 1 ? e.ecx() | ECX_CMP_LEGACY : e.ecx(), e.edx());
            case LEAF_AMD_SIZES: {
                // ECX[7:0] NC: cores - 1; ECX[15:12] ApicIdCoreIdSize.
                int ecx = (e.ecx() & ~0xf0ff) | ((count - 1) & 0xff) | (coreShift << 12);
                return e.withRegisters(e.eax(), e.ebx(), ecx, e.edx());
            }
            case LEAF_AMD_EXT_APIC_ID:
                // EAX extended APIC id; EBX[7:0] core id, [15:8] threads per core - 1; ECX node 0.
                return e.withRegisters(apicId, apicId & 0xff, 0, 0);
            default:
                return e;
        }
    }

    private static CpuidEntry topologyLevel(CpuidEntry e, int apicId, int count, int coreShift) {
        return switch (e.index()) {
            case 0 -> e.withRegisters(0, 1, (LEVEL_SMT << 8), apicId);
            case 1 -> e.withRegisters(coreShift, count, (LEVEL_CORE << 8) | 1, apicId);
            default -> e.withRegisters(0, 0, e.index() & 0xff, apicId);
        };
    }
}
