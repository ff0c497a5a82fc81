package io.jvmm.virtio.queue;

import io.jvmm.benchmarks.Rings;
import io.jvmm.testkit.ByteArrayGuestMemory;
import io.jvmm.testkit.DriverRing;
import io.jvmm.virtio.DescriptorChain;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link SplitQueue}'s device side on a full 256-entry ring (virtio 1.2, 2.7): every invocation
 * the driver makes 256 one-descriptor chains available (only the avail index moves: the ring
 * entries and descriptors were written once, as a driver reusing its buffers leaves them), then
 * the device pops all of them and pushes a used element for each, signalling once, as a worker
 * draining a burst does. One operation is one chain popped and pushed; EVENT_IDX is on, as
 * Linux negotiates it. Guest memory is the test kit's byte array, so this measures the queue's
 * bookkeeping and ring accesses, not native memory.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class SplitQueueBenchmark {
    private static final int N = Rings.QUEUE_SIZE;
    private final DescriptorChain[] taken = new DescriptorChain[N];
    private Rings rings;
    private int availIdx;

    @Setup
    public void setUp() {
        ByteArrayGuestMemory memory = new ByteArrayGuestMemory(1 << 20);
        rings = new Rings(memory, true, false);
        DriverRing d = rings.driver;
        for (int i = 0; i < N; i++) {
            d.writeDescriptor(i, Rings.BUFFERS + 2048L * i, 2048, DriverRing.F_WRITE, 0);
            memory.writeShort(d.availRing() + 4 + 2L * i, (short) i);
        }
    }

    /** Pops the 256 chains the driver made available, then pushes them used. */
    @Benchmark
    @OperationsPerInvocation(N)
    public void popThenPush(Blackhole bh) {
        availIdx = (availIdx + N) & 0xffff;
        rings.driver.setAvailIdx(availIdx);
        SplitQueue q = rings.device;
        for (int i = 0; i < N; i++) {
            taken[i] = q.pop();
        }
        for (int i = 0; i < N; i++) {
            q.addUsed(taken[i], 2048);
        }
        q.signalUsed();
        bh.consume(taken[N - 1]);
    }

    /** Pop and push one chain at a time, as a device that completes each request at once does. */
    @Benchmark
    @OperationsPerInvocation(N)
    public void popPushEach(Blackhole bh) {
        availIdx = (availIdx + N) & 0xffff;
        rings.driver.setAvailIdx(availIdx);
        SplitQueue q = rings.device;
        for (int i = 0; i < N; i++) {
            DescriptorChain c = q.pop();
            q.addUsed(c, 2048);
            bh.consume(c);
        }
        q.signalUsed();
    }
}
