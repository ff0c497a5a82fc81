package io.jvmm.seccomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class BpfProgramTest {
    private static final int X86_64 = BpfProgram.AUDIT_ARCH_X86_64;
    private static final int I386 = 0x4000_0003;

    @Test
    void listedCallsAreAllowedAndOthersGetTheModesAction() {
        BpfProgram on = BpfProgram.of(Set.of(Syscalls.READ, Syscalls.FUTEX, Syscalls.EXIT), SeccompMode.ON);
        assertThat(on.evaluate(X86_64, Syscalls.READ)).isEqualTo(BpfProgram.SECCOMP_RET_ALLOW);
        assertThat(on.evaluate(X86_64, Syscalls.FUTEX)).isEqualTo(BpfProgram.SECCOMP_RET_ALLOW);
        assertThat(on.evaluate(X86_64, Syscalls.EXIT)).isEqualTo(BpfProgram.SECCOMP_RET_ALLOW);
        assertThat(on.evaluate(X86_64, Syscalls.GETPPID)).isEqualTo(BpfProgram.SECCOMP_RET_ERRNO | BpfProgram.EPERM);
        BpfProgram log = BpfProgram.of(Set.of(Syscalls.READ), SeccompMode.LOG);
        assertThat(log.evaluate(X86_64, Syscalls.WRITE)).isEqualTo(BpfProgram.SECCOMP_RET_LOG);
        assertThat(log.evaluate(X86_64, Syscalls.READ)).isEqualTo(BpfProgram.SECCOMP_RET_ALLOW);
    }

    @Test
    void anotherArchitectureAndTheX32AbiAreNeverAllowed() {
        BpfProgram on = BpfProgram.of(Set.of(Syscalls.READ), SeccompMode.ON);
        assertThat(on.evaluate(I386, Syscalls.READ)).isEqualTo(BpfProgram.SECCOMP_RET_ERRNO | BpfProgram.EPERM);
        assertThat(on.evaluate(X86_64, BpfProgram.X32_SYSCALL_BIT | Syscalls.READ))
                .isEqualTo(BpfProgram.SECCOMP_RET_ERRNO | BpfProgram.EPERM);
    }

    @Test
    void everyThreadKindsListCompilesAndAllowsExactlyItsCalls() {
        for (ThreadKind kind : ThreadKind.values()) {
            BpfProgram p = BpfProgram.of(kind.allowed(), SeccompMode.ON);
            assertThat(p.bytes()).hasSize(p.instructions().size() * 8);
            for (int nr = 0; nr < 460; nr++) {
                int expected = kind.allowed().contains(nr) ? BpfProgram.SECCOMP_RET_ALLOW
                        : BpfProgram.SECCOMP_RET_ERRNO | BpfProgram.EPERM;
                assertThat(p.evaluate(X86_64, nr)).as(kind + " nr " + nr).isEqualTo(expected);
            }
        }
        assertThat(ThreadKind.DEVICE_WORKER.allowed()).doesNotContain(Syscalls.IOCTL);
        assertThat(ThreadKind.VCPU.allowed()).contains(Syscalls.IOCTL).doesNotContain(Syscalls.ACCEPT4, Syscalls.SOCKET);
        assertThat(ThreadKind.VCPU.allowed()).doesNotContain(Syscalls.OPENAT, Syscalls.GETPPID);
    }

    @Test
    void readOnlyOpensAreAllowedAndOpensThatWriteCreateOrTruncateAreNot() {
        BpfProgram p = BpfProgram.of(Set.of(Syscalls.READ), true, SeccompMode.ON);
        int refused = BpfProgram.SECCOMP_RET_ERRNO | BpfProgram.EPERM;
        assertThat(p.evaluate(X86_64, Syscalls.OPENAT, 0)).isEqualTo(BpfProgram.SECCOMP_RET_ALLOW); // O_RDONLY
        assertThat(p.evaluate(X86_64, Syscalls.OPENAT, 0x80000 | 0x800)).isEqualTo(BpfProgram.SECCOMP_RET_ALLOW);
        for (int flag : new int[] {01, 02, 0100, 01000, 02000, 0100 | 01}) {
            assertThat(p.evaluate(X86_64, Syscalls.OPENAT, flag)).as("flags 0" + Integer.toOctalString(flag))
                    .isEqualTo(refused);
        }
        assertThat(p.evaluate(X86_64, Syscalls.READ, 01)).isEqualTo(BpfProgram.SECCOMP_RET_ALLOW);
        assertThat(p.evaluate(X86_64, Syscalls.GETPPID, 0)).isEqualTo(refused);
        assertThat(BpfProgram.of(Set.of(Syscalls.READ), false, SeccompMode.ON).evaluate(X86_64, Syscalls.OPENAT, 0))
                .isEqualTo(refused);
    }

    @Test
    void offHasNoProgram() {
        assertThatThrownBy(() -> BpfProgram.of(Set.of(), SeccompMode.OFF)).isInstanceOf(IllegalArgumentException.class);
    }
}
