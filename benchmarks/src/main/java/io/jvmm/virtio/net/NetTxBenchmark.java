package io.jvmm.virtio.net;

import com.sun.jna.Memory;
import io.jvmm.benchmarks.DirectGuestMemory;
import io.jvmm.benchmarks.OnePassQueue;
import io.jvmm.benchmarks.Rings;
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
 * virtio-net's transmit path (virtio 1.2, 5.1.6.2): the driver posts one frame, 12-byte
 * virtio-net header then the Ethernet frame ({@code frameBytes}: 1500 in one descriptor, 65536 as
 * a TSO frame in 16 pages), and {@link TxWorker} pops it, gathers header and frame into an iovec,
 * writev(2)s it to the "tap" (a socket pair, see {@link SocketTap}) and pushes the chain used.
 * The benchmark then reads the frame on the peer end, so each operation also holds one read(2)
 * of the frame on the host side. One operation is one frame.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class NetTxBenchmark {
    @Param({"1500", "65536"})
    public int frameBytes;

    private SocketTap pair;
    private Rings rings;
    private TxWorker worker;
    private List<Buf> chain;
    private Memory sink;
    private long expected;

    @Setup
    public void setUp() {
        DirectGuestMemory memory = new DirectGuestMemory(1 << 20);
        rings = new Rings(memory, true, false);
        pair = new SocketTap();
        worker = new TxWorker(pair.tap, new OnePassQueue(rings.device));
        chain = new ArrayList<>();
        chain.add(new Buf(Rings.BUFFERS, NetHeader.SIZE, false));
        int piece = Math.min(frameBytes, 4096);
        if (frameBytes <= 4096) {
            chain.add(new Buf(Rings.BUFFERS + 4096, frameBytes, false));
        } else {
            for (int at = 0; at < frameBytes; at += piece) {
                chain.add(new Buf(Rings.BUFFERS + 4096 + at, piece, false));
            }
        }
        expected = NetHeader.SIZE + frameBytes;
        sink = new Memory(expected + 4096);
    }

    @TearDown
    public void tearDown() {
        pair.close();
    }

    @Benchmark
    public long transmit() {
        rings.driver.add(chain);
        worker.run();
        if (rings.reap() != 1) {
            throw new IllegalStateException("the frame was not used");
        }
        long n = pair.receive(sink);
        if (n != expected) {
            throw new IllegalStateException("the peer got " + n + " bytes, not " + expected);
        }
        return n;
    }
}
