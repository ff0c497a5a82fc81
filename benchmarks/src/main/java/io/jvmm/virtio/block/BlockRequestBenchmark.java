package io.jvmm.virtio.block;

import io.jvmm.benchmarks.DirectGuestMemory;
import io.jvmm.benchmarks.OneWorkerActivation;
import io.jvmm.benchmarks.OnePassQueue;
import io.jvmm.benchmarks.Rings;
import io.jvmm.testkit.DriverRing.Buf;
import io.jvmm.virtio.VirtioFeatures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * virtio-blk's request path end to end, as {@code BlockFuzzTest} drives it: the driver (the test
 * kit's {@code DriverRing}) posts one request (virtio 1.2, 5.2.6: 16-byte header, data, status
 * byte), and {@link VirtioBlock}'s own worker loop pops it, parses it, moves the data between
 * guest memory and the image with preadv/pwritev, writes the status and pushes it used. One
 * operation is one request; bytes per second = ops/s times the request size.
 *
 * <p>The image is a 64 MiB temp file opened without O_DIRECT ({@code direct = false}, the
 * default), so <b>the page cache is involved</b>: after the first pass every read is served from
 * memory and every write only dirties cached pages (no fsync, no FLUSH request). These figures
 * are jvmm's own cost per request plus a memory copy in the kernel, not the disk's speed.
 * Requests walk the image in order, wrapping. {@code read4k}/{@code write4k}: one 4 KiB data
 * descriptor; {@code read1m}: 1 MiB in 16 descriptors of 64 KiB.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class BlockRequestBenchmark {
    private static final long IMAGE_BYTES = 64L << 20;
    private static final long HEADER = Rings.BUFFERS;
    private static final long STATUS = HEADER + 4096;
    private static final long DATA = HEADER + 8192;

    @Param({"read4k", "write4k", "read1m"})
    public String request;

    private Path path;
    private DiskImage image;
    private DirectGuestMemory memory;
    private Rings rings;
    private Runnable worker;
    private List<Buf> chain;
    private long requestBytes;
    private long sector;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        path = Files.createTempFile("jvmm-bench-blk", ".img");
        // Real bytes, not a sparse file: a hole reads as zeroes without touching any page.
        byte[] chunk = new byte[1 << 20];
        new Random(1).nextBytes(chunk);
        try (var out = Files.newOutputStream(path)) {
            for (long n = 0; n < IMAGE_BYTES; n += chunk.length) {
                out.write(chunk);
            }
        }
        image = DiskImage.open(path, false, false);
        memory = new DirectGuestMemory(4 << 20);
        rings = new Rings(memory, true, true);
        OnePassQueue queue = new OnePassQueue(rings.device);
        VirtioBlock device = new VirtioBlock("blk0", image,
                new BlockConfig(path, false, "bench".getBytes(StandardCharsets.US_ASCII), 1, false));
        long features = device.deviceFeatures() & ~(1L << VirtioBlock.F_MQ)
                | 1L << VirtioFeatures.RING_EVENT_IDX;
        OneWorkerActivation activation = new OneWorkerActivation(features, memory, queue);
        device.activate(activation);
        worker = activation.worker();

        boolean write = request.startsWith("write");
        int pieces = request.endsWith("1m") ? 16 : 1;
        int pieceBytes = request.endsWith("1m") ? 64 << 10 : 4096;
        requestBytes = (long) pieces * pieceBytes;
        chain = new ArrayList<>();
        chain.add(new Buf(HEADER, BlockRequestHandler.HEADER, false));
        for (int i = 0; i < pieces; i++) {
            chain.add(new Buf(DATA + (long) i * pieceBytes, pieceBytes, !write));
        }
        chain.add(new Buf(STATUS, 1, true));
        memory.writeInt(HEADER, write ? BlockRequestHandler.T_OUT : BlockRequestHandler.T_IN);
        memory.writeInt(HEADER + 4, 0);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        image.close();
        Files.deleteIfExists(path);
    }

    @Benchmark
    public byte serve() {
        memory.writeLong(HEADER + 8, sector);
        sector = (sector + requestBytes / DiskImage.SECTOR) % (IMAGE_BYTES / DiskImage.SECTOR);
        memory.writeByte(STATUS, (byte) 0xff);
        rings.driver.add(chain);
        worker.run();
        if (rings.reap() != 1) {
            throw new IllegalStateException("the request was not used");
        }
        byte status = memory.readByte(STATUS);
        if (status != BlockRequestHandler.S_OK) {
            throw new IllegalStateException("status " + status);
        }
        return status;
    }
}
