package io.jvmm.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.spi.GuestMemory;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kernels and initramfs files loaded from their files, as {@code jvmm run} loads them: only the
 * headers are read into the heap; the rest goes from the file straight into guest RAM.
 */
class KernelFileLoadTest {
    private static final long MIB = 1 << 20;
    private final TestMemory memory = new TestMemory();
    private final GuestMemory mem = memory.low(64 * MIB);
    private final RamLayout ram = RamLayout.forSize(64 * MIB);

    @TempDir
    Path dir;

    @Test
    void aBzImageFileLoadsWholeAcrossMebibyteBoundaries() throws Exception {
        SyntheticBzImage k = new SyntheticBzImage();
        k.payloadSize = (int) (3 * MIB + 128); // syssize counts 16-byte units
        Path file = write("vmlinuz", k.build());

        LoadedKernel.BzImage loaded = ((BzImageLoader) KernelImages.open(file)).load(mem, ram);

        byte[] atLoad = new byte[k.payloadSize];
        mem.read(loaded.loadAddress(), atLoad);
        assertThat(atLoad).isEqualTo(k.payload());
    }

    @Test
    void anElfFileLoadsItsSegmentAndClearsBss() throws Exception {
        SyntheticElf elf = new SyntheticElf();
        elf.fileSize = (int) (2 * MIB + 5);
        elf.memSize = 3 * MIB;
        byte[] dirt = new byte[(int) elf.memSize];
        Arrays.fill(dirt, (byte) 0xaa);
        mem.write(elf.paddr, dirt);

        LoadedKernel.Pvh loaded = ((ElfPvhLoader) KernelImages.open(write("vmlinux", elf.build()))).load(mem, ram);

        elf.assertLoadedIn(mem);
        assertThat(loaded.entryPoint()).isEqualTo(0x100_0040);
    }

    @Test
    void aKernelThatChangesAfterItsCheckIsRefusedAtLoad() throws Exception {
        Path file = write("vmlinuz", new SyntheticBzImage().build());
        KernelLoader loader = KernelImages.open(file);
        Files.write(file, new byte[100], StandardOpenOption.APPEND);

        assertThatThrownBy(() -> loader.load(mem, ram))
                .isInstanceOf(BootException.class)
                .hasMessageContaining("cannot read kernel " + file)
                .hasMessageContaining("changed size since it was checked");
    }

    @Test
    void anInitramfsFileLandsWholeBelowItsLimit() throws Exception {
        byte[] initrd = random(5 * MIB + 77);
        LoadedKernel kernel = new LoadedKernel.Pvh(0x100_0000, 0x200_0000, 64 * MIB);

        Initrd placed = InitrdLoader.load(mem, write("initrd", initrd), kernel);

        byte[] inRam = new byte[initrd.length];
        mem.read(placed.address(), inRam);
        assertThat(inRam).isEqualTo(initrd);
    }

    /**
     * The load keeps nothing of the image's size off the heap. Before, the kernel was read into
     * one array through a file channel, which left a temporary direct buffer of the kernel's
     * size cached in the loading thread for good (and the loader kept the array). A thread of its
     * own, so that no earlier test's cached buffer hides one.
     */
    @Test
    void loadingLeavesNoDirectBufferOfTheImagesSize() throws Exception {
        SyntheticBzImage k = new SyntheticBzImage();
        k.payloadSize = (int) (6 * MIB);
        Path kernelFile = write("vmlinuz", k.build());
        Path initrdFile = write("initrd", random(3 * MIB));
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).findFirst().orElseThrow();
        AtomicLong grown = new AtomicLong();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread loader = new Thread(() -> {
            try {
                long before = direct.getMemoryUsed();
                LoadedKernel kernel = KernelImages.open(kernelFile).load(mem, ram);
                InitrdLoader.load(mem, initrdFile, kernel);
                grown.set(direct.getMemoryUsed() - before);
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        loader.start();
        loader.join();

        assertThat(failed.get()).isNull();
        assertThat(grown.get()).as("direct buffer bytes the load left").isLessThan(64 * 1024);
    }

    private Path write(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] random(long size) {
        byte[] b = new byte[(int) size];
        new Random(size).nextBytes(b);
        return b;
    }
}
