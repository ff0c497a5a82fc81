package io.jvmm.pci;

import io.jvmm.spi.PciBar;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressAllocatorTest {
    @Test
    void allocationsAreAlignedAndFirstFit() {
        AddressAllocator a = new AddressAllocator("test", 0x1004, 0x10000);
        assertThat(a.allocate(0x10, 0x10)).isEqualTo(0x1010);
        assertThat(a.allocate(0x1000, 0x1000)).isEqualTo(0x2000);
        assertThat(a.allocate(0x4, 0x4)).isEqualTo(0x1004); // the gap below the first allocation
        assertThat(a.allocate(0x20, 0x20)).isEqualTo(0x1020);
    }

    @Test
    void exhaustionIsAnError() {
        AddressAllocator a = new AddressAllocator("PCI MMIO32", 0xc000_0000L, 0xc000_4000L);
        a.allocate(0x2000, 0x2000);
        a.allocate(0x2000, 0x2000);
        assertThatThrownBy(() -> a.allocate(0x10, 0x10)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PCI MMIO32 exhausted");
        assertThatThrownBy(() -> new AddressAllocator("x", 0, 0x1000).allocate(0x2000, 1))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void freedRangesAreReusedAndMerge() {
        AddressAllocator a = new AddressAllocator("test", 0, 0x3000);
        long x = a.allocate(0x1000, 0x1000);
        long y = a.allocate(0x1000, 0x1000);
        long z = a.allocate(0x1000, 0x1000);
        a.free(y, 0x1000);
        a.free(x, 0x1000);
        assertThat(a.allocate(0x2000, 0x1000)).isEqualTo(0); // x and y merged
        a.free(0, 0x2000);
        a.free(z, 0x1000);
        assertThat(a.allocate(0x3000, 0x1000)).isEqualTo(0);
    }

    @Test
    void freeingWhatWasNotAllocatedIsRefused() {
        AddressAllocator a = new AddressAllocator("test", 0, 0x3000);
        long x = a.allocate(0x1000, 0x1000);
        assertThatThrownBy(() -> a.free(x, 0x800)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.free(0x2000, 0x1000)).isInstanceOf(IllegalArgumentException.class);
        a.free(x, 0x1000);
        assertThatThrownBy(() -> a.free(x, 0x1000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badArgumentsAreRefused() {
        AddressAllocator a = new AddressAllocator("test", 0, 0x3000);
        assertThatThrownBy(() -> a.allocate(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.allocate(0x10, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AddressAllocator("test", 5, 5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hugeAlignmentNearTheTopDoesNotOverflow() {
        AddressAllocator a = new AddressAllocator("test", Long.MAX_VALUE - 0x100, Long.MAX_VALUE);
        assertThatThrownBy(() -> a.allocate(0x10, 1L << 62)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void barSpacesUseTheX86Windows() {
        PciBarSpaces spaces = PciBarSpaces.x86(6L << 30);
        assertThat(spaces.allocate(PciBar.Type.IO, 0x20)).isEqualTo(0x1000);
        assertThat(spaces.allocate(PciBar.Type.IO, 0x100)).isEqualTo(0x1100);
        assertThat(spaces.allocate(PciBar.Type.MMIO32, 0x10)).isEqualTo(0xc000_0000L);
        assertThat(spaces.allocate(PciBar.Type.MMIO32, 0x10)).as("small BARs get a page").isEqualTo(0xc000_1000L);
        assertThat(spaces.allocate(PciBar.Type.MMIO32, 0x10_0000)).isEqualTo(0xc010_0000L);
        assertThat(spaces.allocate(PciBar.Type.MMIO64, 1L << 30)).isEqualTo(0x1_8000_0000L);
        spaces.free(PciBar.Type.MMIO32, 0xc000_1000L, 0x10);
        assertThat(spaces.allocate(PciBar.Type.MMIO32, 0x1000)).isEqualTo(0xc000_1000L);
        assertThatThrownBy(() -> spaces.allocate(PciBar.Type.IO, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> spaces.allocate(PciBar.Type.IO, 0x1_0000)).isInstanceOf(IllegalStateException.class);
    }
}
