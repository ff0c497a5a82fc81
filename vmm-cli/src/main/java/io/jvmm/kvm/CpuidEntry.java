package io.jvmm.kvm;

/**
 * struct kvm_cpuid_entry2 (40 bytes): one CPUID leaf/subleaf.
 *
 * @param flags KVM_CPUID_FLAG_SIGNIFCANT_INDEX (1) when {@code index} selects a subleaf
 */
public record CpuidEntry(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {
    static final int SIZE = 40;
    public static final int FLAG_SIGNIFICANT_INDEX = 1;

    public CpuidEntry withRegisters(int newEax, int newEbx, int newEcx, int newEdx) {
        return new CpuidEntry(function, index, flags, newEax, newEbx, newEcx, newEdx);
    }
}
