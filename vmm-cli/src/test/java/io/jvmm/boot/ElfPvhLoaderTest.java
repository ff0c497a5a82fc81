package io.jvmm.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.spi.GuestMemory;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ElfPvhLoaderTest {
    private final TestMemory memory = new TestMemory();
    private static final Path NAME = Path.of("/k/vmlinux");
    private static final long MIB = 1 << 20;

    private final GuestMemory mem = memory.low(64 * MIB);
    private final RamLayout ram = RamLayout.forSize(64 * MIB);

    @Test
    void loadsSegmentsAtTheirPhysicalAddressAndClearsBss() throws Exception {
        SyntheticElf elf = new SyntheticElf();
        byte[] dirt = new byte[(int) elf.memSize];
        Arrays.fill(dirt, (byte) 0xaa);
        mem.write(elf.paddr, dirt);

        LoadedKernel.Pvh loaded = ElfPvhLoader.parse(NAME, elf.build()).load(mem, ram);

        elf.assertLoadedIn(mem);
        assertThat(loaded.entryPoint()).isEqualTo(0x100_0040);
        assertThat(loaded.end()).isEqualTo(elf.paddr + elf.memSize);
        assertThat(loaded.initrdLimit()).isEqualTo(64 * MIB);
    }

    @Test
    void readsA32BitEntryNote() throws Exception {
        SyntheticElf elf = new SyntheticElf();
        elf.noteDescSize = 4;
        elf.entry = 0x100_0100;
        assertThat(ElfPvhLoader.parse(NAME, elf.build()).entryPoint()).isEqualTo(0x100_0100);
    }

    @Test
    void aSegmentOutsideGuestRamIsNamed() throws Exception {
        SyntheticElf elf = new SyntheticElf();
        elf.paddr = 63 * MIB;
        elf.memSize = 2 * MIB;
        elf.entry = elf.paddr;
        ElfPvhLoader loader = ElfPvhLoader.parse(NAME, elf.build());
        assertThatThrownBy(() -> loader.load(mem, ram))
                .isInstanceOf(BootException.class)
                .hasMessage("/k/vmlinux: ELF segment 0 [0x3f00000, 0x4100000) is not in guest RAM above 1 MiB "
                        + "(low RAM ends at 0x4000000)");
    }

    @Test
    void aSegmentInTheBootAreaIsRefused() throws Exception {
        SyntheticElf elf = new SyntheticElf();
        elf.paddr = 0x8000;
        elf.entry = 0x8000;
        ElfPvhLoader loader = ElfPvhLoader.parse(NAME, elf.build());
        assertThatThrownBy(() -> loader.load(mem, ram)).hasMessageContaining("ELF segment 0 [0x8000, 0xb000)");
    }

    @Test
    void anEntryOutsideTheSegmentsIsRefused() {
        SyntheticElf elf = new SyntheticElf();
        elf.entry = 0x200_0000;
        assertThatThrownBy(() -> ElfPvhLoader.parse(NAME, elf.build()))
                .hasMessage("/k/vmlinux: the PVH entry point 0x2000000 is not in a loadable segment");
    }

    /** The image with the 64-bit field at {@code at} replaced. */
    private static byte[] withLong(byte[] image, int at, long value) {
        java.nio.ByteBuffer.wrap(image).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(at, value);
        return image;
    }

    @Test
    void aProgramHeaderOffsetThatWouldOverflowIsNotAValidElf() {
        for (long phoff : new long[] {Long.MAX_VALUE - 50, Long.MAX_VALUE, Long.MIN_VALUE, -56}) {
            byte[] image = withLong(new SyntheticElf().build(), 32, phoff);
            assertThatThrownBy(() -> ElfPvhLoader.parse(NAME, image)).as("e_phoff 0x%x", phoff)
                    .isInstanceOf(BootException.class)
                    .hasMessage("/k/vmlinux is truncated or not a valid ELF file: its program headers (e_phoff 0x"
                            + Long.toUnsignedString(phoff, 16) + ", 2 entries) lie outside the file");
        }
    }

    @Test
    void aSegmentOffsetOrSizeThatWouldOverflowIsNotAValidElf() {
        int ph = SyntheticElf.PHOFF;
        byte[] offset = withLong(new SyntheticElf().build(), ph + 8, Long.MAX_VALUE - 10);
        assertThatThrownBy(() -> ElfPvhLoader.parse(NAME, offset)).isInstanceOf(BootException.class)
                .hasMessageStartingWith("/k/vmlinux is truncated or not a valid ELF file: segment 0 (offset 0x7ffffffffffffff5");
        byte[] size = withLong(new SyntheticElf().build(), ph + 32, Long.MAX_VALUE - 10);
        assertThatThrownBy(() -> ElfPvhLoader.parse(NAME, size)).isInstanceOf(BootException.class)
                .hasMessageStartingWith("/k/vmlinux is truncated or not a valid ELF file: segment 0");
        byte[] note = withLong(new SyntheticElf().build(), ph + 56 + 32, -8);
        assertThatThrownBy(() -> ElfPvhLoader.parse(NAME, note)).isInstanceOf(BootException.class)
                .hasMessageStartingWith("/k/vmlinux is truncated or not a valid ELF file: segment 1");
    }
}
