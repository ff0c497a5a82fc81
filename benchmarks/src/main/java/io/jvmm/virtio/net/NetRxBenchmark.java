package io.jvmm.virtio.net;

import com.sun.jna.Memory;
import io.jvmm.benchmarks.DirectGuestMemory;
import io.jvmm.benchmarks.OnePassQueue;
import io.jvmm.benchmarks.Rings;
import io.jvmm.testkit.DriverRing;
import io.jvmm.testkit.DriverRing.Buf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * virtio-net's receive path (virtio 1.2, 5.1.6.3-4): the benchmark writes one frame (12-byte
 * virtio-net header first, as a tap with IFF_VNET_HDR delivers it) into the peer end of the
 * socket pair, and {@link RxWorker} reads it and copies it into the guest's receive buffers, fixes
 * the header's num_buffers and pushes the buffers used; the driver then posts fresh buffers for
 * the used ones. GUEST_TSO4 is negotiated, so the worker keeps room for a 64 KiB frame either way.
 * Receive buffers as Linux's virtio_net posts them: {@code mergeable} single 1536-byte buffers
 * (a 64 KiB frame fills 43), otherwise "big packet" chains of the header and 17 pages. Each
 * operation also holds the host side's write(2) of the frame. One operation is one frame.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class NetRxBenchmark {
    private static final int MERGEABLE_BUFFER = 1536;
    private static final int BIG_PAGES = 17;

    @Param({"1500", "65536"})
    public int frameBytes;

    @Param({"true", "false"})
    public boolean mergeable;

    private SocketTap pair;
    private Rings rings;
    private OnePassQueue queue;
    private RxWorker worker;
    private Memory frame;
    private long frameLength;
    private long slotBytes;
    private final int[] slotOfHead = new int[Rings.QUEUE_SIZE];

    @Setup
    public void setUp() {
        DirectGuestMemory memory = new DirectGuestMemory(4 << 20);
        rings = new Rings(memory, true, false);
        pair = new SocketTap();
        queue = new OnePassQueue(rings.device);
        long features = 1L << NetFeatures.GUEST_TSO4 | (mergeable ? 1L << NetFeatures.MRG_RXBUF : 0);
        worker = new RxWorker(pair.tap, queue, features, 1500);
        slotBytes = mergeable ? MERGEABLE_BUFFER : 4096L * (BIG_PAGES + 1);
        int slots = mergeable ? 128 : 12;
        for (int s = 0; s < slots; s++) {
            post(s);
        }
        frameLength = NetHeader.SIZE + frameBytes;
        frame = new Memory(frameLength);
        frame.clear();
    }

    private void post(int slot) {
        long at = Rings.BUFFERS + slot * slotBytes;
        List<Buf> bufs = new ArrayList<>();
        if (mergeable) {
            bufs.add(new Buf(at, MERGEABLE_BUFFER, true));
        } else {
            bufs.add(new Buf(at, NetHeader.SIZE, true));
            for (int i = 1; i <= BIG_PAGES; i++) {
                bufs.add(new Buf(at + 4096L * i, 4096, true));
            }
        }
        slotOfHead[rings.driver.add(bufs)] = slot;
    }

    @TearDown
    public void tearDown() {
        pair.close();
    }

    @Benchmark
    public int receive() {
        pair.send(frame, frameLength);
        queue.stopAfterUsedBytes(frameLength);
        worker.run();
        int used = 0;
        DriverRing.Used u;
        while ((u = rings.driver.pollUsed()) != null) {
            post(slotOfHead[u.id()]);
            used++;
        }
        if (used == 0) {
            throw new IllegalStateException("no receive buffer was used");
        }
        return used;
    }
}
