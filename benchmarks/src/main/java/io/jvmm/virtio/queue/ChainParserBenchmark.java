package io.jvmm.virtio.queue;

import io.jvmm.benchmarks.Rings;
import io.jvmm.testkit.ByteArrayGuestMemory;
import io.jvmm.testkit.DriverRing;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link ChainParser} walking one chain of a 256-entry queue with every check a device relies on
 * (virtio 1.2, 2.7.5, 2.7.5.3): {@code direct1} a single 4 KiB buffer (a net or rng buffer),
 * {@code direct3} a virtio-blk request (16-byte header, 4 KiB data, status byte), {@code
 * indirect16} one descriptor pointing at an indirect table of 16 (header, 14 pages, status), as
 * Linux's virtio-blk sends a larger request. One operation is one parse, result returned to JMH.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class ChainParserBenchmark {
    private static final long TABLE = 0x8000;

    @Param({"direct1", "direct3", "indirect16"})
    public String chain;

    private ChainParser parser;
    private int head;

    @Setup
    public void setUp() {
        ByteArrayGuestMemory memory = new ByteArrayGuestMemory(1 << 20);
        DriverRing d = DriverRing.at(memory, Rings.QUEUE_SIZE, 0);
        long buf = Rings.BUFFERS;
        d.writeDescriptor(0, buf, 4096, DriverRing.F_WRITE, 0);
        d.writeDescriptor(1, buf, 16, DriverRing.F_NEXT, 2);
        d.writeDescriptor(2, buf + 4096, 4096, DriverRing.F_WRITE | DriverRing.F_NEXT, 3);
        d.writeDescriptor(3, buf + 8192, 1, DriverRing.F_WRITE, 0);
        d.writeDescriptorAt(TABLE, buf, 16, DriverRing.F_NEXT, 1);
        for (int i = 1; i <= 14; i++) {
            d.writeDescriptorAt(TABLE + 16L * i, buf + 4096L * i, 4096, DriverRing.F_WRITE | DriverRing.F_NEXT, i + 1);
        }
        d.writeDescriptorAt(TABLE + 16L * 15, buf + 4096L * 15, 1, DriverRing.F_WRITE, 0);
        d.writeDescriptor(4, TABLE, 16 * 16, DriverRing.F_INDIRECT, 0);
        parser = new ChainParser(memory, d.descTable(), Rings.QUEUE_SIZE, true);
        head = switch (chain) {
            case "direct1" -> 0;
            case "direct3" -> 1;
            case "indirect16" -> 4;
            default -> throw new IllegalArgumentException(chain);
        };
    }

    @Benchmark
    public Object parse() throws MalformedChainException {
        return parser.parse(head);
    }
}
