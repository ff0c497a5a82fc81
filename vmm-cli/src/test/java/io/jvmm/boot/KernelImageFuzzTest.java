package io.jvmm.boot;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jvmm.spi.GuestMemory;
import java.nio.file.Path;

/**
 * A kernel image file of any bytes, through {@link KernelImages#of} (ELF with a PVH note, else
 * bzImage) and loaded into 64 MiB of guest RAM: a bad image is a {@link BootException}, never
 * another exception, a write outside RAM, or a loop. The RAM is allocated once per JVM; each
 * input overwrites only what it loads.
 */
class KernelImageFuzzTest {
    private static final long RAM_BYTES = 64L << 20;
    private static final TestMemory OWNER = new TestMemory();
    private static final GuestMemory MEMORY = OWNER.low(RAM_BYTES);
    private static final RamLayout RAM = RamLayout.forSize(RAM_BYTES);
    private static final Path NAME = Path.of("vmlinuz");

    @FuzzTest
    void images(FuzzedDataProvider data) {
        byte[] image = data.consumeRemainingAsBytes();
        try {
            KernelImages.of(NAME, image).load(MEMORY, RAM);
        } catch (BootException expected) {
            // not a kernel jvmm boots
        }
    }
}
