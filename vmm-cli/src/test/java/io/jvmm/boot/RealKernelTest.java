package io.jvmm.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvmm.spi.GuestMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Parses a real distribution kernel when one is cached (scripts/ fetch them); skipped otherwise. */
class RealKernelTest {
    private final TestMemory memory = new TestMemory();
    private static Optional<Path> cachedKernel() throws IOException {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "jvmm");
        if (!Files.isDirectory(cache)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.walk(cache, 6)) {
            return files.filter(p -> p.getFileName().toString().startsWith("vmlinuz") && Files.isRegularFile(p))
                    .sorted()
                    .findFirst();
        }
    }

    @Test
    void loadsACachedDebianKernel() throws Exception {
        Optional<Path> kernel = cachedKernel();
        assumeTrue(kernel.isPresent(), "no kernel under ~/.cache/jvmm");
        byte[] image = Files.readAllBytes(kernel.get());

        BzImageLoader loader = (BzImageLoader) KernelImages.open(kernel.get());
        SetupHeader h = loader.header();
        assertThat(h.version()).isGreaterThanOrEqualTo(0x020c);
        assertThat(h.relocatable()).isTrue();
        assertThat(h.initSize()).isPositive();

        long ram = 256L << 20;
        GuestMemory mem = memory.low(ram);
        LoadedKernel.BzImage loaded = loader.load(mem, RamLayout.forSize(ram));
        byte[] payload = new byte[image.length - h.setupSize()];
        mem.read(0x10_0000, payload);
        assertThat(Arrays.equals(payload, Arrays.copyOfRange(image, h.setupSize(), image.length)))
                .as("the whole protected-mode part, copied from the file in pieces").isTrue();

        BootParamsWriter.write(mem, loaded, "console=ttyS0", Optional.empty(), E820Map.of(RamLayout.forSize(ram)));
        assertThat(mem.readInt(0x7000 + 0x202)).isEqualTo(0x53726448); // "HdrS" copied
        assertThat(mem.readByte(0x7000 + 0x211) & 0x81).isEqualTo(0x81);
    }
}
