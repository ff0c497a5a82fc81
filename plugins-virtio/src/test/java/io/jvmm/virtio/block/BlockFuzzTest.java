package io.jvmm.virtio.block;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jvmm.spi.DeviceException;
import io.jvmm.testkit.FuzzBytes;
import io.jvmm.virtio.testutil.FuzzRings;
import io.jvmm.virtio.testutil.SyncActivation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * virtio-blk's request path under a hostile driver: a queue of requests from the input, served
 * by {@link VirtioBlock}'s worker and {@link BlockRequestHandler} against a 64 KiB image.
 * Requests of any type, sector and split into descriptors get a status (5.2.6); a chain with
 * nowhere to put one resets the device. An exception out of the worker is a bug.
 *
 * <p>Input: u8 flags (1 EVENT_IDX, 2 INDIRECT_DESC, 4 read-only image); queue 0 and the
 * buffers as {@link FuzzRings} reads them.
 */
class BlockFuzzTest {
    private static final int IMAGE_BYTES = 64 << 10;
    private static final Image WRITABLE = new Image(false);
    private static final Image READ_ONLY = new Image(true);
    private static final TestMemory MEMORY = new TestMemory(FuzzRings.RAM);

    /** An image file opened once per JVM; writes from one input stay for the next, which is fine. */
    private record Image(Path path, DiskImage disk) {
        Image(boolean readOnly) {
            this(create(), readOnly);
        }

        private Image(Path path, boolean readOnly) {
            this(path, open(path, readOnly));
        }

        private static Path create() {
            try {
                Path p = Files.createTempFile("jvmm-blk-fuzz", ".img");
                Files.write(p, new byte[IMAGE_BYTES]);
                p.toFile().deleteOnExit();
                return p;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        private static DiskImage open(Path path, boolean readOnly) {
            try {
                return DiskImage.open(path, readOnly, false);
            } catch (DeviceException e) {
                throw new AssertionError(e);
            }
        }
    }

    @FuzzTest
    void requests(FuzzedDataProvider data) {
        FuzzBytes in = new FuzzBytes(data.consumeRemainingAsBytes());
        int flags = in.u8();
        // Direct memory, as the VMM's is: the handler hands guest buffers to preadv/pwritev.
        // One per JVM, cleared for each input, rather than 64 KiB of direct memory per input.
        TestMemory memory = MEMORY;
        memory.write(0, new byte[FuzzRings.RAM], 0, FuzzRings.RAM);
        var queue = FuzzRings.ring(in, memory, 0, VirtioBlock.QUEUE_SIZE);
        FuzzRings.buffers(in, memory);
        boolean readOnly = (flags & 4) != 0;
        Image image = readOnly ? READ_ONLY : WRITABLE;
        VirtioBlock device = new VirtioBlock("blk0", image.disk(),
                new BlockConfig(image.path(), readOnly, "fuzz-serial".getBytes(StandardCharsets.US_ASCII), 1, false));
        long features = device.deviceFeatures() | FuzzRings.ringFeatures(flags);
        device.activate(new SyncActivation(features, memory, List.of(queue)));
    }
}
