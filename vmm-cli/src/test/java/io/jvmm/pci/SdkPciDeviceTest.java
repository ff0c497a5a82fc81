package io.jvmm.pci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.spi.PciBar;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A PCI device written on the SPI's {@code PciHeader} ({@link PvpanicPciDevice}, about fifty
 * lines) behind jvmm's real PCI root and BAR allocator, probed the way Linux's PCI core does.
 */
class SdkPciDeviceTest {
    private final PciBarSpaces spaces = new PciBarSpaces(new AddressAllocator("io", 0x1000, 0x10000),
            new AddressAllocator("mmio32", 0xc000_0000L, 0xe000_0000L),
            new AddressAllocator("mmio64", 0x10_0000_0000L, 0x20_0000_0000L));
    private final PvpanicPciDevice pvpanic = new PvpanicPciDevice();
    private final PciRoot root = new PciRoot((device, bar, address) -> device.moveBar(bar, address));

    private static byte[] le(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    @Test
    void theGuestFindsSizesAndMovesTheBarAndTheDeviceFollows() {
        List<PciBar> bars = pvpanic.allocateBars(spaces);
        int slot = root.addDevice(pvpanic);
        assertThat(root.readConfig(0, slot, 0, 0)).isEqualTo(0x0011_1b36);
        assertThat(root.readConfig(0, slot, 0, 2) >>> 8).isEqualTo(0x088000);
        assertThat(root.readConfig(0, slot, 0, 4)).isEqualTo((int) bars.get(0).address());

        root.writeConfig(0, slot, 0, 4, 0, le(0xffff_ffff));
        assertThat(root.readConfig(0, slot, 0, 4)).isEqualTo(0xffff_fff0); // 16 bytes, 32-bit memory
        root.writeConfig(0, slot, 0, 4, 0, le(0xc010_0000));
        assertThat(root.readConfig(0, slot, 0, 4)).isEqualTo(0xc010_0000);

        byte[] supported = new byte[1];
        pvpanic.readBar(bars.get(0), 0, supported);
        assertThat(supported[0]).isEqualTo((byte) 3);
        pvpanic.writeBar(bars.get(0), 0, new byte[] {PvpanicPciDevice.PVPANIC_PANICKED});
        assertThat(pvpanic.events.get()).isEqualTo(PvpanicPciDevice.PVPANIC_PANICKED);
    }

    @Test
    void aBarCanBePlacedAtAGivenAddressAsARestoreNeeds() {
        assertThat(spaces.allocateAt(PciBar.Type.MMIO32, 0xc010_0000L, 16)).isEqualTo(0xc010_0000L);
        assertThatThrownBy(() -> spaces.allocateAt(PciBar.Type.MMIO32, 0xc010_0000L, 16))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is not free");
        assertThatThrownBy(() -> spaces.allocateAt(PciBar.Type.MMIO32, 0xc020_0800L, 0x1000))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not naturally aligned");
        assertThatThrownBy(() -> spaces.allocateAt(PciBar.Type.MMIO32, 0xf000_0000L, 0x1000))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is not free");
        spaces.free(PciBar.Type.MMIO32, 0xc010_0000L, 16);
        assertThat(spaces.allocateAt(PciBar.Type.MMIO32, 0xc010_0000L, 16)).isEqualTo(0xc010_0000L);
    }
}
