package io.jvmm.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A classic-BPF seccomp program (Documentation/userspace-api/seccomp_filter.rst): check the
 * architecture, refuse the x32 ABI, allow each listed system call, and give every other one
 * the mode's action.
 */
final class BpfProgram {
    // BPF opcodes (include/uapi/linux/bpf_common.h, filter.h).
    static final int BPF_LD_W_ABS = 0x00 | 0x00 | 0x20;
    static final int BPF_JMP_JEQ_K = 0x05 | 0x10 | 0x00;
    static final int BPF_JMP_JGE_K = 0x05 | 0x30 | 0x00;
    static final int BPF_JMP_JSET_K = 0x05 | 0x40 | 0x00;
    static final int BPF_RET_K = 0x06 | 0x00;

    // struct seccomp_data offsets (include/uapi/linux/seccomp.h).
    static final int SECCOMP_DATA_NR = 0;
    static final int SECCOMP_DATA_ARCH = 4;
    /** args[2], low half (little-endian): openat's flags. */
    static final int SECCOMP_DATA_ARG2_LOW = 16 + 2 * 8;

    /** openat flags that write: O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND (asm-generic/fcntl.h). */
    static final int OPEN_WRITE_FLAGS = 01 | 02 | 0100 | 01000 | 02000;

    static final int AUDIT_ARCH_X86_64 = 0xC000_003E;
    /** x32 ABI system calls are x86-64 ones with this bit set; the lists mean the 64-bit ABI only. */
    static final int X32_SYSCALL_BIT = 0x4000_0000;

    static final int SECCOMP_RET_ERRNO = 0x0005_0000;
    static final int SECCOMP_RET_LOG = 0x7ffc_0000;
    static final int SECCOMP_RET_ALLOW = 0x7fff_0000;
    static final int EPERM = 1;

    /** One instruction: struct sock_filter. */
    record Insn(int code, int jt, int jf, int k) {
    }

    private final List<Insn> insns;

    private BpfProgram(List<Insn> insns) {
        this.insns = List.copyOf(insns);
    }

    /** The program for {@code allowed} system calls, anything else getting {@code mode}'s action. */
    static BpfProgram of(Set<Integer> allowed, SeccompMode mode) {
        return of(allowed, false, mode);
    }

    /**
     * As {@link #of(Set, SeccompMode)}, and when {@code readOnlyOpens} also openat(2) without
     * any flag that writes, creates or truncates.
     */
    static BpfProgram of(Set<Integer> allowed, boolean readOnlyOpens, SeccompMode mode) {
        if (mode == SeccompMode.OFF) {
            throw new IllegalArgumentException("no program for --seccomp=off");
        }
        int other = mode == SeccompMode.ON ? SECCOMP_RET_ERRNO | EPERM : SECCOMP_RET_LOG;
        List<Integer> numbers = new ArrayList<>(new TreeSet<>(allowed));
        if (numbers.size() > 250) {
            throw new IllegalArgumentException("too many system calls for one-byte jumps: " + numbers.size());
        }
        numbers.remove(Integer.valueOf(Syscalls.OPENAT));
        List<Insn> p = new ArrayList<>();
        p.add(new Insn(BPF_LD_W_ABS, 0, 0, SECCOMP_DATA_ARCH));
        p.add(new Insn(BPF_JMP_JEQ_K, 1, 0, AUDIT_ARCH_X86_64));
        p.add(new Insn(BPF_RET_K, 0, 0, other));
        p.add(new Insn(BPF_LD_W_ABS, 0, 0, SECCOMP_DATA_NR));
        int checks = readOnlyOpens ? 1 : 0;
        int deny = 4 + 1 + numbers.size() + checks;   // index of the "other" return
        int openCheck = deny + 1;                      // readOnlyOpens: ld flags; jset; ret other
        int allow = deny + 1 + (readOnlyOpens ? 3 : 0);
        p.add(new Insn(BPF_JMP_JGE_K, deny - 5, 0, X32_SYSCALL_BIT));
        for (int nr : numbers) {
            int at = p.size();
            p.add(new Insn(BPF_JMP_JEQ_K, allow - (at + 1), 0, nr));
        }
        if (readOnlyOpens) {
            int at = p.size();
            p.add(new Insn(BPF_JMP_JEQ_K, openCheck - (at + 1), 0, Syscalls.OPENAT));
        }
        p.add(new Insn(BPF_RET_K, 0, 0, other));
        if (readOnlyOpens) {
            p.add(new Insn(BPF_LD_W_ABS, 0, 0, SECCOMP_DATA_ARG2_LOW));
            p.add(new Insn(BPF_JMP_JSET_K, 0, 1, OPEN_WRITE_FLAGS));
            p.add(new Insn(BPF_RET_K, 0, 0, other));
        }
        p.add(new Insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW));
        return new BpfProgram(p);
    }

    List<Insn> instructions() {
        return insns;
    }

    /** The instructions as the kernel reads them: struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}. */
    byte[] bytes() {
        ByteBuffer b = ByteBuffer.allocate(insns.size() * 8).order(ByteOrder.nativeOrder());
        for (Insn i : insns) {
            b.putShort((short) i.code()).put((byte) i.jt()).put((byte) i.jf()).putInt(i.k());
        }
        return b.array();
    }

    /**
     * Runs the program on a system call, as the kernel would: for tests, and to say what a
     * list allows without installing it.
     */
    int evaluate(int arch, int nr) {
        return evaluate(arch, nr, 0);
    }

    /** {@link #evaluate(int, int)} with the third argument (openat's flags). */
    int evaluate(int arch, int nr, int arg2) {
        int acc = 0;
        int pc = 0;
        while (true) {
            Insn i = insns.get(pc);
            switch (i.code()) {
                case BPF_LD_W_ABS -> {
                    acc = switch (i.k()) {
                        case SECCOMP_DATA_ARCH -> arch;
                        case SECCOMP_DATA_NR -> nr;
                        case SECCOMP_DATA_ARG2_LOW -> arg2;
                        default -> throw new IllegalStateException("load of offset " + i.k());
                    };
                    pc++;
                }
                case BPF_JMP_JEQ_K -> pc += 1 + (acc == i.k() ? i.jt() : i.jf());
                case BPF_JMP_JSET_K -> pc += 1 + ((acc & i.k()) != 0 ? i.jt() : i.jf());
                case BPF_JMP_JGE_K -> pc += 1 + (Integer.compareUnsigned(acc, i.k()) >= 0 ? i.jt() : i.jf());
                case BPF_RET_K -> {
                    return i.k();
                }
                default -> throw new IllegalStateException("unknown opcode " + i.code());
            }
        }
    }
}
