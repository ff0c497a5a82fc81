package io.jvmm.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class VmDeviceContextTest {
    static List<Throwable> deaths() {
        return List.of(new OutOfMemoryError("Java heap space"), new StackOverflowError(), new AssertionError("plugin"),
                new IllegalStateException("plugin bug"));
    }

    @Test
    void reportedEventsAndFailuresReachTheSinkWithTheDeviceId() {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        VmDeviceContext context = new VmDeviceContext("pvpanic0", null, List.of(), null, null, null, null, false,
                reason -> { }, new ThreadStarter(), (id, event, detail) -> seen.add(id + " " + event + " " + detail));

        context.reportEvent("guest-panicked", "the guest reported a kernel panic");
        context.reportFailure("its backend closed", new java.io.IOException("EOF"));

        assertThat(seen).containsExactly("pvpanic0 guest-panicked the guest reported a kernel panic",
                "pvpanic0 failed its backend closed");
    }

    @ParameterizedTest
    @MethodSource("deaths")
    void aWorkerThatDiesEndsTheVmNamingItsThread(Throwable death) throws Exception {
        CompletableFuture<String> vmEnded = new CompletableFuture<>();
        VmDeviceContext context = new VmDeviceContext("con0", null, List.of(), null, null, null, null, false,
                vmEnded::complete, new ThreadStarter(), DeviceEventSink.NONE);

        Thread t = context.startWorker("input", () -> {
            if (death instanceof Error e) {
                throw e;
            }
            throw (RuntimeException) death;
        });
        t.join(5000);

        assertThat(t.isAlive()).isFalse();
        assertThat(vmEnded.get(5, TimeUnit.SECONDS))
                .isEqualTo("device con0: worker thread con0-input died: " + death);
    }

    /**
     * A worker started on a vCPU thread (as activation does) gets the worker's filter only, not
     * the vCPU's as well: it may open a socket, which a vCPU may not.
     */
    @Test
    void aWorkerStartedOnAFilteredVcpuThreadHasOnlyTheWorkersFilter() throws Exception {
        io.jvmm.seccomp.SeccompPolicy.configure(io.jvmm.seccomp.SeccompMode.ON);
        try {
            VmDeviceContext context = new VmDeviceContext("net0", null, List.of(), null, null, null, null, false,
                    reason -> { }, new ThreadStarter(), DeviceEventSink.NONE);
            // Initialise the JDK's socket classes here: a class whose initialiser fails under a filter stays failed.
            assertThat(tryUnixSocket()).isEqualTo("opened");
            CompletableFuture<String> socketFromVcpu = new CompletableFuture<>();
            CompletableFuture<String> socketFromWorker = new CompletableFuture<>();
            Thread vcpu = new Thread(() -> {
                io.jvmm.seccomp.SeccompPolicy.installOnThisThread(io.jvmm.seccomp.ThreadKind.VCPU);
                socketFromVcpu.complete(tryUnixSocket());
                Thread worker = context.startWorker("rx", () -> socketFromWorker.complete(tryUnixSocket()));
                try {
                    worker.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "vcpu0");
            vcpu.start();
            vcpu.join(20_000);
            assertThat(socketFromVcpu.get(10, java.util.concurrent.TimeUnit.SECONDS)).contains("Operation not permitted");
            assertThat(socketFromWorker.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("opened");
        } finally {
            io.jvmm.seccomp.SeccompPolicy.configure(io.jvmm.seccomp.SeccompMode.OFF);
        }
    }

    private static String tryUnixSocket() {
        try (var channel = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            return "opened";
        } catch (Throwable e) {
            return e.toString();
        }
    }
}
