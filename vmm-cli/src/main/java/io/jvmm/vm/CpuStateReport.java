package io.jvmm.vm;

import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Sregs;

/**
 * The registers a developer needs to tell why a guest died (a triple fault leaves no oops in
 * the guest's log): where it ran, which page tables and descriptor tables were live, and the
 * last page-fault address. Formatted as QEMU's "-d cpu_reset" dump is read: hex, one line each.
 * On AMD, KVM puts the vCPU through INIT before it reports KVM_EXIT_SHUTDOWN (the VMCB is
 * undefined after a shutdown intercept, arch/x86/kvm/svm/svm.c shutdown_interception), so the
 * registers are then the INIT state; the report says so rather than pass it off as the fault.
 */
final class CpuStateReport {
    private CpuStateReport() {
    }

    static String format(int vcpu, Regs r, Sregs s) {
        return (isInitState(r, s) ? "the registers are the INIT state (KVM on AMD resets a vCPU that shut down; "
                + "where the guest faulted is lost): " : "") + String.format(
                "vCPU %d state:%n"
                        + "  RIP=%016x RFL=%08x RSP=%016x RBP=%016x%n"
                        + "  RAX=%016x RBX=%016x RCX=%016x RDX=%016x%n"
                        + "  RSI=%016x RDI=%016x R8 =%016x R9 =%016x%n"
                        + "  CS=%04x(base %x l=%b dpl=%d) SS=%04x TR=%04x(base %x)%n"
                        + "  GDT=%x/%x IDT=%x/%x%n"
                        + "  CR0=%x CR2=%016x CR3=%016x CR4=%x EFER=%x",
                vcpu, r.rip(), r.rflags(), r.rsp(), r.rbp(),
                r.rax(), r.rbx(), r.rcx(), r.rdx(),
                r.rsi(), r.rdi(), r.r8(), r.r9(),
                s.cs().selector(), s.cs().base(), s.cs().l(), s.cs().dpl(), s.ss().selector(), s.tr().selector(),
                s.tr().base(),
                s.gdt().base(), s.gdt().limit(), s.idt().base(), s.idt().limit(),
                s.cr0(), s.cr2(), s.cr3(), s.cr4(), s.efer());
    }

    /** RIP 0xfff0 in CS f000 with base 0xffff0000, protection off: the state after RESET or INIT (SDM 3A, 10.1). */
    static boolean isInitState(Regs r, Sregs s) {
        return r.rip() == 0xfff0 && s.cs().selector() == 0xf000 && s.cs().base() == 0xffff0000L && (s.cr0() & 1) == 0;
    }
}
