package io.jvmm.virtio.rng;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jvmm.testkit.ByteArrayGuestMemory;
import io.jvmm.testkit.FuzzBytes;
import io.jvmm.virtio.testutil.FuzzRings;
import io.jvmm.virtio.testutil.SyncActivation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * virtio-rng's request path (virtio 1.2, 5.4): whatever chains the driver offers, the device
 * fills their writable part from a 4 KiB source (rewound at its end, or not) and uses them.
 *
 * <p>Input: u8 flags (1 EVENT_IDX, 2 INDIRECT_DESC, 4 rewind the source); queue 0 and the
 * buffers as {@link FuzzRings} reads them.
 */
class RngFuzzTest {
    private static final Path SOURCE = source();

    private static Path source() {
        try {
            Path p = Files.createTempFile("jvmm-rng-fuzz", ".bin");
            byte[] bytes = new byte[4096];
            new java.util.Random(1).nextBytes(bytes);
            Files.write(p, bytes);
            p.toFile().deleteOnExit();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest
    void requests(FuzzedDataProvider data) throws IOException {
        FuzzBytes in = new FuzzBytes(data.consumeRemainingAsBytes());
        int flags = in.u8();
        ByteArrayGuestMemory memory = new ByteArrayGuestMemory(FuzzRings.RAM);
        var queue = FuzzRings.ring(in, memory, 0, 256);
        FuzzRings.buffers(in, memory);
        try (FileChannel source = FileChannel.open(SOURCE, StandardOpenOption.READ)) {
            RngDevice device = new RngDevice(source, (flags & 4) != 0);
            long features = device.deviceFeatures() | FuzzRings.ringFeatures(flags);
            device.activate(new SyncActivation(features, memory, List.of(queue)));
        }
    }
}
