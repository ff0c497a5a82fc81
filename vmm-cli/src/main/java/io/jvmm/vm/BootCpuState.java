package io.jvmm.vm;

import io.jvmm.kvm.DescriptorTable;
import io.jvmm.kvm.MsrEntry;
import io.jvmm.kvm.Segment;
import io.jvmm.kvm.Sregs;
import io.jvmm.spi.GuestMemory;

import java.util.List;

/**
 * The processor state a kernel entry point expects. For the Linux 64-bit boot protocol
 * (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"): long mode with paging, an
 * identity map covering the kernel, boot_params and command line, and a GDT holding flat
 * __BOOT_CS (0x10) and __BOOT_DS (0x18). For PVH (xen/include/public/arch-x86/hvm/start_info.h):
 * 32-bit protected mode without paging.
 */
public final class BootCpuState {
    static final int BOOT_CS = 0x10;
    static final int BOOT_DS = 0x18;
    static final int BOOT_TSS = 0x20;

    private static final long CR0_PE = 1L;
    private static final long CR0_MP = 1L << 1;
    private static final long CR0_ET = 1L << 4;
    private static final long CR0_NE = 1L << 5;
    private static final long CR0_WP = 1L << 16;
    private static final long CR0_PG = 1L << 31;
    private static final long CR4_PAE = 1L << 5;
    private static final long EFER_LME = 1L << 8;
    private static final long EFER_LMA = 1L << 10;
    private static final long PAGE_PRESENT_RW = 0x3;
    private static final long PAGE_PS = 0x80;

    // Descriptor flags as in the GDT access/flags bytes (Intel SDM vol. 3A, 3.4.5).
    private static final int CODE64 = 0xa09b;
    private static final int CODE32 = 0xc09b;
    private static final int DATA = 0xc093;
    private static final int TSS = 0x808b;

    private BootCpuState() {
    }

    /** Writes the GDT, an empty IDT and identity page tables for the first 4 GiB. */
    public static void writeLongModeTables(GuestMemory mem) {
        writeGdt(mem, CODE64);
        mem.writeLong(X86Layout.PML4, X86Layout.PDPT | PAGE_PRESENT_RW);
        for (int i = 0; i < 4; i++) {
            long pd = X86Layout.PD_BASE + i * 0x1000L;
            mem.writeLong(X86Layout.PDPT + i * 8L, pd | PAGE_PRESENT_RW);
            for (int j = 0; j < 512; j++) {
                long address = ((long) i << 30) | ((long) j << 21);
                mem.writeLong(pd + j * 8L, address | PAGE_PRESENT_RW | PAGE_PS);
            }
        }
    }

    /** Writes the GDT and an empty IDT for 32-bit PVH entry. */
    public static void writeProtectedModeTables(GuestMemory mem) {
        writeGdt(mem, CODE32);
    }

    private static void writeGdt(GuestMemory mem, int codeFlags) {
        long[] gdt = {0, 0, descriptor(codeFlags), descriptor(DATA), descriptor(TSS)};
        for (int i = 0; i < gdt.length; i++) {
            mem.writeLong(X86Layout.BOOT_GDT + i * 8L, gdt[i]);
        }
        mem.writeLong(X86Layout.BOOT_IDT, 0);
    }

    /** A flat (base 0, limit 0xfffff pages) descriptor with the given access/flags word. */
    static long descriptor(int flags) {
        long limit = 0xfffff;
        return (limit & 0xffff) | ((limit & 0xf0000L) << 32) | (((long) flags & 0xf0ff) << 40);
    }

    static Segment segment(int flags, int selector) {
        boolean g = (flags & 0x8000) != 0;
        return new Segment(0, g ? 0xffffffff : 0xfffff, selector, flags & 0xf, (flags & 0x80) != 0,
                (flags >> 5) & 3, (flags & 0x4000) != 0, (flags & 0x10) != 0, (flags & 0x2000) != 0, g, false, false);
    }

    /** Special registers for 64-bit entry, based on the vCPU's reset state. */
    public static Sregs longMode(Sregs reset) {
        return reset.withSegments(segment(CODE64, BOOT_CS), segment(DATA, BOOT_DS), segment(TSS, BOOT_TSS))
                .withTables(new DescriptorTable(X86Layout.BOOT_GDT, 5 * 8 - 1), new DescriptorTable(X86Layout.BOOT_IDT, 7))
                .withControl(CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG, X86Layout.PML4, CR4_PAE,
                        EFER_LME | EFER_LMA);
    }

    /** Special registers for 32-bit PVH entry: protected mode, no paging. */
    public static Sregs protectedMode(Sregs reset) {
        return reset.withSegments(segment(CODE32, BOOT_CS), segment(DATA, BOOT_DS), segment(TSS, BOOT_TSS))
                .withTables(new DescriptorTable(X86Layout.BOOT_GDT, 5 * 8 - 1), new DescriptorTable(X86Layout.BOOT_IDT, 7))
                .withControl(CR0_PE | CR0_ET, 0, 0, 0);
    }

    /**
     * MSRs at their boot values; MTRRs enabled with write-back default so RAM is cacheable.
     * IA32_TSC is left alone: KVM starts every vCPU's TSC in step, and writing it per vCPU at
     * different moments makes Linux mark the TSC unstable.
     */
    public static List<MsrEntry> bootMsrs() {
        return List.of(
                new MsrEntry(0x174, 0), // IA32_SYSENTER_CS
                new MsrEntry(0x175, 0), // IA32_SYSENTER_ESP
                new MsrEntry(0x176, 0), // IA32_SYSENTER_EIP
                new MsrEntry(0xc000_0081, 0), // STAR
                new MsrEntry(0xc000_0082, 0), // LSTAR
                new MsrEntry(0xc000_0083, 0), // CSTAR
                new MsrEntry(0xc000_0084, 0), // SYSCALL_MASK
                new MsrEntry(0xc000_0102, 0), // KERNEL_GS_BASE
                new MsrEntry(0x1a0, 1), // IA32_MISC_ENABLE: fast strings
                new MsrEntry(0x2ff, (1 << 11) | 6)); // MTRRdefType: enabled, default write-back
    }
}
