package io.jvmm.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.spi.GuestMemory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinuxBootTest {
    private final TestMemory memory = new TestMemory();
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    private final GuestMemory mem = memory.low(64 * MIB);
    private final RamLayout ram = RamLayout.forSize(64 * MIB);

    private Path kernel(SyntheticBzImage k) throws Exception {
        return Files.write(dir.resolve("bzImage"), k.build());
    }

    private Path initrd(int size) throws Exception {
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) (i * 31 + 5);
        }
        return Files.write(dir.resolve("initrd.img"), data);
    }

    @Test
    void putsTheInitrdAtTheTopOfLowRamPageAligned() throws Exception {
        Path initrd = initrd(100_000);
        BootEntry entry = LinuxBoot.setUp(mem, ram,
                new BootConfig(kernel(new SyntheticBzImage()), Optional.of(initrd), "quiet"), 0);

        long expected = (64 * MIB - 100_000) & ~0xfffL;
        assertThat(mem.readInt(0x7000 + 0x218)).isEqualTo((int) expected);
        assertThat(mem.readInt(0x7000 + 0x21c)).isEqualTo(100_000);
        byte[] copied = new byte[100_000];
        mem.read(expected, copied);
        assertThat(copied).isEqualTo(Files.readAllBytes(initrd));
        assertThat(entry.mode()).isEqualTo(BootEntry.Mode.LINUX_64);
    }

    @Test
    void keepsTheInitrdBelowInitrdAddrMax() throws Exception {
        SyntheticBzImage k = new SyntheticBzImage();
        k.initrdAddrMax = 0x2ff_ffff; // last byte the initrd may use
        LinuxBoot.setUp(mem, ram, new BootConfig(kernel(k), Optional.of(initrd(8192)), ""), 0);
        assertThat(mem.readInt(0x7000 + 0x218)).isEqualTo(0x300_0000 - 8192);
    }

    @Test
    void keepsTheInitrdAboveTheKernelAndItsInitSize() throws Exception {
        // Kernel needs [16 MiB, 24 MiB); 40 MiB fits in [24 MiB, 64 MiB) exactly.
        LinuxBoot.setUp(mem, ram, new BootConfig(kernel(new SyntheticBzImage()), Optional.of(initrd((int) (40 * MIB))), ""), 0);
        assertThat(mem.readInt(0x7000 + 0x218)).isEqualTo((int) (24 * MIB));
    }

    @Test
    void anInitrdThatDoesNotFitIsRefused() throws Exception {
        Path big = initrd((int) (40 * MIB + 1));
        BootConfig config = new BootConfig(kernel(new SyntheticBzImage()), Optional.of(big), "");
        assertThatThrownBy(() -> LinuxBoot.setUp(mem, ram, config, 0))
                .isInstanceOf(BootException.class)
                .hasMessage("initramfs " + big + " (41 MiB) does not fit between the kernel's end 0x1800000 and 0x4000000; "
                        + "give the guest more memory");
    }

    @Test
    void aMissingInitrdIsNamed() throws Exception {
        Path missing = dir.resolve("missing.img");
        BootConfig config = new BootConfig(kernel(new SyntheticBzImage()), Optional.of(missing), "");
        assertThatThrownBy(() -> LinuxBoot.setUp(mem, ram, config, 0))
                .hasMessage("initramfs file not found: " + missing);
    }

    @Test
    void bootsAPvhKernelThroughTheStartInfo() throws Exception {
        Path elf = Files.write(dir.resolve("vmlinux"), new SyntheticElf().build());
        BootEntry entry = LinuxBoot.setUp(mem, ram, new BootConfig(elf, Optional.of(initrd(4096)), "console=hvc0"), 0xe0000);
        assertThat(entry).isEqualTo(new BootEntry(0x100_0040, BootEntry.Mode.PVH_32, 0x6000));
        assertThat(mem.readInt(0x6000)).isEqualTo(0x336e_c578);
        assertThat(mem.readLong(0x6000 + 0x20)).isEqualTo(0xe0000);
        assertThat(mem.readLong(0x6040)).isEqualTo(64 * MIB - 4096); // module 0 at the top of low RAM
    }

    @Test
    void placementPicksTheHighestPageAlignedStart() {
        assertThat(InitrdLoader.place(5000, 0x1000, 0x10_0000)).isEqualTo(0x10_0000 - 0x2000);
        assertThat(InitrdLoader.place(0x1000, 0x1000, 0x2000)).isEqualTo(0x1000);
        assertThat(InitrdLoader.place(0x1001, 0x1000, 0x2000)).isEqualTo(-1);
        assertThat(InitrdLoader.place(0x1000, 0x1001, 0x3000)).isEqualTo(0x2000); // the floor rounds up
        assertThat(InitrdLoader.place(0x5000, 0, 0x4000)).isEqualTo(-1);
    }
}
