package io.jvmm.kvm;

/** struct kvm_msr_entry: a model-specific register and its value. */
public record MsrEntry(int index, long data) {
    static final int SIZE = 16;
}
