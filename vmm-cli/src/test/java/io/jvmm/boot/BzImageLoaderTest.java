package io.jvmm.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.spi.GuestMemory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BzImageLoaderTest {
    private final TestMemory memory = new TestMemory();
    private static final Path NAME = Path.of("/k/bzImage");

    @Test
    void copiesTheProtectedModeCodeTo1MiB() throws Exception {
        SyntheticBzImage k = new SyntheticBzImage();
        GuestMemory mem = memory.low(64 << 20);
        LoadedKernel.BzImage loaded = BzImageLoader.parse(NAME, k.build()).load(mem, RamLayout.forSize(64 << 20));

        byte[] atLoad = new byte[k.payloadSize];
        mem.read(0x10_0000, atLoad);
        assertThat(atLoad).isEqualTo(k.payload());
        assertThat(mem.readByte(0x10_0000 + k.payloadSize)).isZero();
        assertThat(loaded.loadAddress()).isEqualTo(0x10_0000);
        assertThat(loaded.entryPoint()).isEqualTo(0x10_0200);
    }

    @Test
    void reservesInitSizeFromTheRuntimeStartForTheDecompressor() throws Exception {
        // Relocatable: runtime start = max(1 MiB, pref_address 16 MiB) aligned to 2 MiB.
        SyntheticBzImage k = new SyntheticBzImage();
        LoadedKernel.BzImage loaded = BzImageLoader.parse(NAME, k.build())
                .load(memory.low(64 << 20), RamLayout.forSize(64 << 20));
        assertThat(loaded.end()).isEqualTo(0x100_0000 + 0x80_0000);
        assertThat(loaded.initrdLimit()).isEqualTo(64 << 20);
    }

    @Test
    void aNonRelocatableKernelRunsAtPrefAddress() throws Exception {
        SyntheticBzImage k = new SyntheticBzImage();
        k.relocatable = false;
        k.prefAddress = 0x20_0000;
        LoadedKernel.BzImage loaded = BzImageLoader.parse(NAME, k.build())
                .load(memory.low(64 << 20), RamLayout.forSize(64 << 20));
        assertThat(loaded.end()).isEqualTo(0x20_0000 + 0x80_0000);
    }

    @Test
    void initrdAddrMaxLimitsTheInitrd() throws Exception {
        SyntheticBzImage k = new SyntheticBzImage();
        k.initrdAddrMax = 0x1ff_ffff;
        LoadedKernel.BzImage loaded = BzImageLoader.parse(NAME, k.build())
                .load(memory.low(64 << 20), RamLayout.forSize(64 << 20));
        assertThat(loaded.initrdLimit()).isEqualTo(0x200_0000);
    }

    @Test
    void aGuestTooSmallForTheDecompressorIsRefused() throws Exception {
        SyntheticBzImage k = new SyntheticBzImage();
        BzImageLoader loader = BzImageLoader.parse(NAME, k.build());
        GuestMemory mem = memory.low(16 << 20);
        assertThatThrownBy(() -> loader.load(mem, RamLayout.forSize(16 << 20)))
                .isInstanceOf(BootException.class)
                .hasMessage("/k/bzImage needs guest RAM up to 0x1800000 to decompress, but low RAM ends at 0x1000000; "
                        + "give the guest at least 24 MiB");
    }
}
