package io.jvmm.seccomp;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.LastErrorException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real filter, installed on a fresh thread of this JVM: this machine's kernel has seccomp
 * even without KVM. Other threads are not affected.
 */
class SeccompFilterTest {
    @TempDir
    Path tmp;

    @AfterEach
    void off() {
        SeccompPolicy.configure(SeccompMode.OFF);
    }

    /** Runs {@code body} on a new thread that installed {@code kind}'s filter first; returns what it threw. */
    private static Throwable onFilteredThread(ThreadKind kind, ThrowingRunnable body) throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                SeccompPolicy.installOnThisThread(kind);
                body.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
        }, "filtered");
        t.start();
        t.join(10_000);
        assertThat(t.isAlive()).isFalse();
        return thrown.get();
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aDeviceWorkerCannotMakeAnIoctlOrCreateAFileButTheRestOfTheJvmCan() throws Exception {
        assertThat(SeccompPolicy.configure(SeccompMode.ON)).isEqualTo(SeccompMode.ON);
        AtomicReference<Integer> ioctlErrno = new AtomicReference<>();
        Throwable mkdir = onFilteredThread(ThreadKind.DEVICE_WORKER, () -> {
            try {
                SeccompLibC.syscall(Syscalls.IOCTL);
            } catch (LastErrorException e) {
                ioctlErrno.set(e.getErrorCode());
            }
            Files.createDirectory(tmp.resolve("made-by-a-worker"));
        });
        assertThat(ioctlErrno.get()).as("EPERM from the filter, not EBADF from the kernel").isEqualTo(BpfProgram.EPERM);
        assertThat(mkdir).isInstanceOf(FileSystemException.class).hasMessageContaining("Operation not permitted");
        assertThat(tmp.resolve("made-by-a-worker")).doesNotExist();

        // Reading a file is allowed; writing one is not.
        Files.writeString(tmp.resolve("existing"), "data");
        AtomicReference<String> read = new AtomicReference<>();
        Throwable write = onFilteredThread(ThreadKind.DEVICE_WORKER, () -> {
            read.set(Files.readString(tmp.resolve("existing")));
            Files.writeString(tmp.resolve("existing"), "overwritten");
        });
        assertThat(read.get()).isEqualTo("data");
        assertThat(write).isInstanceOf(FileSystemException.class).hasMessageContaining("Operation not permitted");
        assertThat(Files.readString(tmp.resolve("existing"))).isEqualTo("data");

        // This thread has no filter.
        Files.createDirectory(tmp.resolve("made-by-the-test"));
        assertThat(SeccompLibC.syscall(Syscalls.GETPPID)).isPositive();
    }

    @Test
    void aVcpuMayMakeIoctlsWhichTheKernelThenJudges() throws Exception {
        SeccompPolicy.configure(SeccompMode.ON);
        AtomicReference<Integer> ioctlErrno = new AtomicReference<>();
        Throwable thrown = onFilteredThread(ThreadKind.VCPU, () -> {
            try {
                SeccompLibC.syscall(Syscalls.IOCTL); // fd 0 of garbage arguments: the kernel's answer, not EPERM
            } catch (LastErrorException e) {
                ioctlErrno.set(e.getErrorCode());
            }
        });
        assertThat(thrown).isNull();
        assertThat(ioctlErrno.get()).isNotEqualTo(BpfProgram.EPERM);
    }

    @Test
    void logModeLetsTheCallThrough() throws Exception {
        SeccompPolicy.configure(SeccompMode.LOG);
        Throwable thrown = onFilteredThread(ThreadKind.DEVICE_WORKER,
                () -> Files.createDirectory(tmp.resolve("allowed-and-logged")));
        assertThat(thrown).isNull();
        assertThat(tmp.resolve("allowed-and-logged")).isDirectory();
    }

    @Test
    void offInstallsNothing() throws Exception {
        SeccompPolicy.configure(SeccompMode.OFF);
        Throwable thrown = onFilteredThread(ThreadKind.DEVICE_WORKER, () -> Files.createDirectory(tmp.resolve("free")));
        assertThat(thrown).isNull();
    }

    /**
     * A paused vCPU consumes its pending kick with sigtimedwait (VcpuSignal.drain). Refused, the
     * kick stays pending and KVM_RUN returns EINTR for ever: the guest never runs again after a
     * resume (ShellNestedIT found this). The filter must let it through to the kernel.
     */
    @Test
    void aVcpuMayConsumeItsPauseKick() throws Exception {
        SeccompPolicy.configure(SeccompMode.ON);
        AtomicReference<Integer> errno = new AtomicReference<>();
        Throwable thrown = onFilteredThread(ThreadKind.VCPU, () -> {
            try (com.sun.jna.Memory set = new com.sun.jna.Memory(128); com.sun.jna.Memory info = new com.sun.jna.Memory(128);
                 com.sun.jna.Memory zero = new com.sun.jna.Memory(16)) {
                set.clear();
                set.setLong(0, 1L << (io.jvmm.kvm.VcpuSignal.SIGNAL - 1));
                zero.clear();
                io.jvmm.kvm.LibC.sigtimedwait(set, info, zero);
            } catch (LastErrorException e) {
                errno.set(e.getErrorCode());
            }
        });
        assertThat(thrown).isNull();
        assertThat(errno.get()).as("EAGAIN: nothing pending, answered by the kernel").isEqualTo(11);
    }
}
