package io.jvmm.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelImagesTest {
    @TempDir
    Path dir;

    private Path file(byte[] content) throws IOException {
        return Files.write(dir.resolve("kernel"), content);
    }

    @Test
    void recognisesABzImageByItsHeader() throws Exception {
        KernelLoader loader = KernelImages.open(file(new SyntheticBzImage().build()));
        assertThat(loader).isInstanceOf(BzImageLoader.class);
        SetupHeader h = ((BzImageLoader) loader).header();
        assertThat(h.version()).isEqualTo(0x020f);
        assertThat(h.setupSects()).isEqualTo(4);
        assertThat(h.cmdlineSize()).isEqualTo(0x7ff);
        assertThat(h.initSize()).isEqualTo(0x80_0000);
        assertThat(h.prefAddress()).isEqualTo(0x100_0000);
        assertThat(h.bytes()).hasSize(0x26c - 0x1f1);
    }

    @Test
    void recognisesAnElfKernelWithAPvhNote() throws Exception {
        KernelLoader loader = KernelImages.open(file(new SyntheticElf().build()));
        assertThat(loader).isInstanceOf(ElfPvhLoader.class);
        assertThat(((ElfPvhLoader) loader).entryPoint()).isEqualTo(0x100_0040);
    }

    @Test
    void setupSectsZeroMeansFour() throws Exception {
        SyntheticBzImage k = new SyntheticBzImage();
        k.setupSects = 0;
        BzImageLoader loader = (BzImageLoader) KernelImages.open(file(k.build()));
        assertThat(loader.header().setupSects()).isEqualTo(4);
        assertThat(loader.header().setupSize()).isEqualTo(5 * 512);
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> KernelImages.open(missing))
                .isInstanceOf(BootException.class)
                .hasMessage("kernel file not found: " + missing);
    }

    @Test
    void somethingElseIsNotAKernel() throws Exception {
        Path p = file("#!/bin/sh\necho hello\n".repeat(100).getBytes());
        assertThatThrownBy(() -> KernelImages.open(p))
                .isInstanceOf(BootException.class)
                .hasMessage(p + " is not a Linux kernel image (no bzImage header and not an ELF file)");
    }

    @Test
    void aBootSectorWithoutHdrSIsNotAKernel() throws Exception {
        byte[] image = new SyntheticBzImage().build();
        image[0x202] = 'X';
        Path p = file(image);
        assertThatThrownBy(() -> KernelImages.open(p)).hasMessageContaining("is not a Linux kernel image");
    }

    @Test
    void anOldBootProtocolIsRefused() throws Exception {
        SyntheticBzImage k = new SyntheticBzImage();
        k.version = 0x0205;
        Path p = file(k.build());
        assertThatThrownBy(() -> KernelImages.open(p))
                .isInstanceOf(BootException.class)
                .hasMessage(p + " uses boot protocol 2.05; the 64-bit boot protocol needs 2.12 or later (Linux 3.8+)");
    }

    @Test
    void aKernelWithoutThe64BitEntryIsRefused() throws Exception {
        SyntheticBzImage k = new SyntheticBzImage();
        k.xloadflags = 0x02;
        Path p = file(k.build());
        assertThatThrownBy(() -> KernelImages.open(p))
                .hasMessage(p + " has no 64-bit entry point (XLF_KERNEL_64 is not set in xloadflags)");
    }

    @Test
    void aTruncatedBzImageIsRefused() throws Exception {
        byte[] image = new SyntheticBzImage().build();
        Path p = file(Arrays.copyOf(image, image.length - 100));
        assertThatThrownBy(() -> KernelImages.open(p))
                .hasMessage(p + " is truncated: expected at least " + image.length
                        + " bytes, the file has " + (image.length - 100));
    }

    @Test
    void aBzImageCutInsideItsHeaderIsTruncated() throws Exception {
        Path p = file(Arrays.copyOf(new SyntheticBzImage().build(), 0x240));
        assertThatThrownBy(() -> KernelImages.open(p)).hasMessageStartingWith(p + " is truncated");
    }

    @Test
    void aFileEndingRightAfterTheMagicIsTruncated() throws Exception {
        Path p = file(Arrays.copyOf(new SyntheticBzImage().build(), 0x206));
        assertThatThrownBy(() -> KernelImages.open(p))
                .hasMessage(p + " is truncated: expected at least 612 bytes, the file has 518");
    }

    @Test
    void anElfWithoutPvhNoteIsRefused() throws Exception {
        SyntheticElf elf = new SyntheticElf();
        elf.pvhNote = false;
        Path p = file(elf.build());
        assertThatThrownBy(() -> KernelImages.open(p))
                .hasMessage(p + " is an ELF kernel without a PVH entry point (XEN_ELFNOTE_PHYS32_ENTRY); "
                        + "build it with CONFIG_PVH=y or use the bzImage");
    }

    @Test
    void a32BitElfIsRefused() throws Exception {
        SyntheticElf elf = new SyntheticElf();
        elf.elfClass = 1;
        Path p = file(elf.build());
        assertThatThrownBy(() -> KernelImages.open(p))
                .hasMessage(p + " is an ELF file but not a little-endian x86-64 ELF64 one");
    }

    @Test
    void aTruncatedElfIsRefused() throws Exception {
        byte[] image = new SyntheticElf().build();
        Path p = file(Arrays.copyOf(image, image.length - 1));
        assertThatThrownBy(() -> KernelImages.open(p))
                .hasMessage(p + " is truncated or not a valid ELF file: segment 0 (offset 0x1000, 0x1000 bytes) lies "
                        + "outside the file");
    }
}
