package io.jvmm.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class VmDeviceContextTest {
    static List<Throwable> deaths() {
        return List.of(new OutOfMemoryError("Java heap space"), new StackOverflowError(), new AssertionError("plugin"),
                new IllegalStateException("plugin bug"));
    }

    @ParameterizedTest
    @MethodSource("deaths")
    void aWorkerThatDiesEndsTheVmNamingItsThread(Throwable death) throws Exception {
        CompletableFuture<String> vmEnded = new CompletableFuture<>();
        VmDeviceContext context = new VmDeviceContext("con0", null, List.of(), null, null, null, null, false,
                vmEnded::complete);

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
}
