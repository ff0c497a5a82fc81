package io.jvmm.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.bus.Bus;
import io.jvmm.kvm.VcpuExit;
import io.jvmm.spi.BusDevice;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class VcpuRunnerTest {
    private final Bus pio = new Bus("port I/O");
    private final Bus mmio = new Bus("MMIO");
    private final MissedAccesses misses = new MissedAccesses();
    /** How the VM ended, as Vm.run's future sees it. */
    private final CompletableFuture<VmExit> stopped = new CompletableFuture<>();
    private final VcpuRunner.StopListener listener = VcpuRunner.StopListener.completing(stopped);

    /** Runs the loop on a thread named like a VM's vCPU thread; returns once it ended (or 5 s passed). */
    private Thread runToEnd(VcpuExits exits) throws InterruptedException {
        VcpuRunner runner = new VcpuRunner(exits, pio, mmio, listener, misses);
        Thread t = new Thread(runner, "demo-vcpu0");
        t.setDaemon(true);
        t.start();
        t.join(5000);
        if (t.isAlive()) {
            runner.stop();
            t.join(5000);
        }
        return t;
    }

    private String failure() throws Exception {
        try {
            stopped.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause().getMessage();
        }
        throw new AssertionError("the VM ended without a failure: " + stopped.get());
    }

    static List<Error> errors() {
        return List.of(new OutOfMemoryError("Java heap space"), new StackOverflowError(), new AssertionError("plugin"));
    }

    @ParameterizedTest
    @MethodSource("errors")
    void anErrorInADeviceOnTheVcpuThreadEndsTheVmNamingTheThread(Error error) throws Exception {
        pio.insert(0x80, 1, new BusDevice() {
            @Override
            public void read(long offset, byte[] data) {
            }

            @Override
            public void write(long offset, byte[] data) {
                throw error;
            }
        });

        Thread t = runToEnd(new ScriptedVcpuExits().then(new VcpuExit.IoOut(0x80, 1, new byte[] {1})));

        assertThat(t.isAlive()).isFalse();
        assertThat(failure()).isEqualTo("vCPU 0: thread demo-vcpu0 died: " + error);
    }

    @Test
    void anErrorFromKvmRunItselfEndsTheVm() throws Exception {
        Thread t = runToEnd(new ScriptedVcpuExits().then(new VcpuExit.Hlt()).thenThrow(new StackOverflowError()));

        assertThat(t.isAlive()).isFalse();
        assertThat(failure()).startsWith("vCPU 0: thread demo-vcpu0 died: java.lang.StackOverflowError");
    }

    @Test
    void aGuestProbingManyAddressesCostsABoundedSet() throws Exception {
        ScriptedVcpuExits exits = new ScriptedVcpuExits();
        int probes = 20 * MissedAccesses.LOGGED;
        byte[][] reads = new byte[probes][];
        for (int i = 0; i < probes; i++) {
            reads[i] = new byte[4];
            exits.then(new VcpuExit.MmioRead(0x1_0000_0000L + 4L * i, reads[i]));
        }
        exits.then(new VcpuExit.SystemEvent(1));

        runToEnd(exits);

        assertThat(stopped.get(5, TimeUnit.SECONDS)).isEqualTo(VmExit.POWER_OFF);
        assertThat(List.of(reads)).allSatisfy(r -> assertThat(r).containsOnly((byte) 0xff));
        assertThat(misses.logged()).isEqualTo(MissedAccesses.LOGGED);
        assertThat(misses.unlogged()).isEqualTo(probes - MissedAccesses.LOGGED);
    }

    /**
     * A pause's kick can reach the vCPU thread after it parked: requestPause sets immediate_exit
     * and then signals, and the thread may leave KVM_RUN on immediate_exit, drain (nothing yet)
     * and park before the signal is sent. After the resume that signal was still pending, so
     * every KVM_RUN returned EINTR at once and the guest never ran again: ShellNestedIT's guest
     * that went silent after pause, snapshot and resume until a second pause drained it (L1's
     * trace: kvm_userspace_exit "restart" over and over, 2026-12-07).
     */
    @Test
    void aKickThatLandsAfterTheVcpuParkedDoesNotStopTheGuestAfterResume() throws Exception {
        SignalModelVcpuExits exits = new SignalModelVcpuExits();
        VcpuRunner runner = new VcpuRunner(exits, pio, mmio, listener, misses);
        Thread vcpu = new Thread(runner, "demo-vcpu0");
        vcpu.setDaemon(true);
        vcpu.start();
        try {
            awaitGuestRuns(exits, 1);
            CountDownLatch parked = new CountDownLatch(1);
            Thread pauser = new Thread(() -> runner.requestPause(parked), "pauser");
            pauser.start();
            assertThat(parked.await(5, TimeUnit.SECONDS)).as("the vCPU parked").isTrue();
            exits.deliverKicks.countDown(); // the signal arrives now, after the vCPU drained
            pauser.join(5000);
            int before = exits.guestRuns;

            runner.resume();

            awaitGuestRuns(exits, before + 1);
        } finally {
            exits.deliverKicks.countDown();
            runner.stop();
            vcpu.join(5000);
        }
    }

    private static void awaitGuestRuns(SignalModelVcpuExits exits, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (exits.guestRuns < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(exits.guestRuns).as("times the guest ran (KVM_RUN without a pending kick)").isGreaterThanOrEqualTo(atLeast);
    }
}
