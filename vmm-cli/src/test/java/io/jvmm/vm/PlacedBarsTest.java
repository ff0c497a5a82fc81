package io.jvmm.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.bus.Bus;
import io.jvmm.pci.AddressAllocator;
import io.jvmm.pci.PciBarSpaces;
import io.jvmm.spi.PciBar;
import io.jvmm.spi.PciBarAllocator;
import io.jvmm.spi.PciDevice;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BAR placement on jvmm's real buses and allocator: attach, guest moves, and restore of a moved BAR. */
class PlacedBarsTest {
    private final VmBuses buses = new VmBuses(new Bus("port I/O"), new Bus("MMIO"));
    private final PciBarSpaces spaces = new PciBarSpaces(new AddressAllocator("io", 0x1000, 0x10000),
            new AddressAllocator("mmio32", 0xc000_0000L, 0xe000_0000L),
            new AddressAllocator("mmio64", 0x10_0000_0000L, 0x20_0000_0000L));
    private final PlacedBars bars = new PlacedBars(buses, spaces);

    /** One 4 KiB MMIO32 BAR; after a restore it reports {@code restored} (null: where it was put). */
    private static final class OneBar implements PciDevice {
        PciBar placed;
        PciBar restored;
        final List<String> reads = new ArrayList<>();

        @Override
        public String id() {
            return "dev0";
        }

        @Override
        public int readConfigRegister(int reg) {
            return 0;
        }

        @Override
        public BarReprogram writeConfigRegister(int reg, int offset, byte[] data) {
            return null;
        }

        @Override
        public List<PciBar> allocateBars(PciBarAllocator allocator) {
            placed = new PciBar(0, allocator.allocate(PciBar.Type.MMIO32, 0x1000), 0x1000, PciBar.Type.MMIO32, false);
            return List.of(placed);
        }

        @Override
        public List<PciBar> restoredBars() {
            return restored == null ? null : List.of(restored);
        }

        @Override
        public void readBar(PciBar bar, long offset, byte[] data) {
            reads.add(Long.toHexString(bar.address() + offset));
        }

        @Override
        public void writeBar(PciBar bar, long offset, byte[] data) {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aMovedBarFromASnapshotIsReservedAndMappedWhereTheSnapshotHasIt() throws Exception {
        OneBar dev = new OneBar();
        bars.attach(dev);
        long first = dev.placed.address();
        dev.restored = new PciBar(0, 0xc800_0000L, 0x1000, PciBar.Type.MMIO32, false);

        bars.restore(dev);

        assertThat(bars.of(dev)).containsExactly(dev.restored);
        assertThat(buses.mmio().read(0xc800_0010L, new byte[4])).isTrue();
        assertThat(dev.reads).containsExactly("c8000010");
        assertThat(buses.mmio().read(first, new byte[4])).as("the old place is empty").isFalse();
        // The old range went back to the allocator, the new one is taken.
        assertThat(spaces.allocateAt(PciBar.Type.MMIO32, first, 0x1000)).isEqualTo(first);
        assertThatThrownBy(() -> spaces.allocateAt(PciBar.Type.MMIO32, 0xc800_0000L, 0x1000))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSnapshotAddressOutsideTheWindowOrTakenIsRefusedNamingTheDeviceAndBar() {
        OneBar dev = new OneBar();
        bars.attach(dev);
        dev.restored = new PciBar(0, 0xf000_0000L, 0x1000, PciBar.Type.MMIO32, false);
        assertThatThrownBy(() -> bars.restore(dev)).isInstanceOf(VmException.class)
                .hasMessageStartingWith("dev0: BAR 0 cannot go back where the snapshot has it: ");
        assertThat(bars.of(dev)).containsExactly(dev.placed);

        OneBar other = new OneBar();
        bars.attach(other);
        dev.restored = new PciBar(0, other.placed.address(), 0x1000, PciBar.Type.MMIO32, false);
        assertThatThrownBy(() -> bars.restore(dev)).isInstanceOf(VmException.class).hasMessageContaining("is not free");
    }

    @Test
    void aDeviceThatSaysNothingStaysWhereItWasPut() throws Exception {
        OneBar dev = new OneBar();
        bars.attach(dev);
        bars.restore(dev);
        assertThat(bars.of(dev)).containsExactly(dev.placed);
    }

    @Test
    void aGuestMoveMovesTheRangeAndTellsTheDevice() {
        OneBar dev = new OneBar();
        bars.attach(dev);
        bars.relocate(dev, dev.placed, 0xd000_0000L);
        assertThat(bars.of(dev)).extracting(PciBar::address).containsExactly(0xd000_0000L);
        assertThat(buses.mmio().read(0xd000_0000L, new byte[1])).isTrue();
    }
}
