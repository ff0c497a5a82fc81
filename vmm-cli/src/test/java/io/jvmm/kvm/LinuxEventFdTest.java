package io.jvmm.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link LinuxEventFd}: the counter a device's notifications and interrupts go through. */
class LinuxEventFdTest {
    @Test
    void writesAddUpAndAReadTakesTheSumAndResetsIt() {
        try (LinuxEventFd e = new LinuxEventFd()) {
            e.write(1);
            e.write(41);
            e.write(0x1_0000_0000L);
            assertThat(e.read()).isEqualTo(42 + 0x1_0000_0000L);
            e.write(7);
            assertThat(e.read()).isEqualTo(7);
        }
    }

    @Test
    void aReadWaitsForTheNextWriteFromAnotherThread() throws Exception {
        try (LinuxEventFd e = new LinuxEventFd()) {
            CompletableFuture<Long> read = CompletableFuture.supplyAsync(e::read);
            Thread.sleep(50);
            assertThat(read).isNotDone();
            e.write(3);
            assertThat(read.get(5, TimeUnit.SECONDS)).isEqualTo(3);
        }
    }

    @Test
    void aWriteThatWouldOverflowTheCounterIsAnError() {
        try (LinuxEventFd e = new LinuxEventFd()) {
            // eventfd(2): the counter holds at most 2^64 - 2; -1 (0xffff...ffff) is never accepted.
            assertThatThrownBy(() -> e.write(-1L)).isInstanceOf(KvmException.class).hasMessageContaining("write(eventfd)");
        }
    }
}
