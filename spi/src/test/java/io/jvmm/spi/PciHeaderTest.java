package io.jvmm.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PciHeaderTest {
    private static byte[] le(int value) {
        return new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)};
    }

    /** Places BARs from fixed windows, like the VMM's allocator. */
    private static final PciBarAllocator ALLOCATOR = new PciBarAllocator() {
        @Override
        public long allocate(PciBar.Type type, long size) {
            return switch (type) {
                case IO -> 0x1000;
                case MMIO32 -> 0xc000_0000L;
                case MMIO64 -> 0x10_0000_0000L;
            };
        }

        @Override
        public long allocateAt(PciBar.Type type, long address, long size) {
            return address;
        }

        @Override
        public void free(PciBar.Type type, long address, long size) {
        }
    };

    private final PciHeader header = PciHeader.builder(0x1b36, 0x0011).classCode(0x08, 0x80, 0x00).revision(1)
            .subsystem(0x1af4, 0x1100).interruptPin(1)
            .memoryBar(0, 0x1000, false).ioBar(1, 0x20).memoryBar64(2, 0x4000, true).build();

    @Test
    void identityClassAndPinAreWhereTheType0HeaderSays() {
        assertThat(header.readRegister(0)).isEqualTo(0x0011_1b36);
        assertThat(header.readRegister(2)).isEqualTo(0x0880_0001); // class 08, subclass 80, prog-if 00, rev 1
        assertThat(header.readRegister(0x2c / 4)).isEqualTo(0x1100_1af4);
        assertThat(header.get(PciHeader.INTERRUPT_PIN, 1)).isEqualTo(1);
        assertThat(header.readRegister(64)).isZero(); // extended space: no capabilities
    }

    @Test
    void readOnlyBitsIgnoreGuestWritesAndWritableOnesTakeThem() {
        header.write(0, 0, le(0xffff_ffff));
        assertThat(header.readRegister(0)).isEqualTo(0x0011_1b36);
        header.write(1, 0, le(0xffff_ffff));
        assertThat(header.get(PciHeader.COMMAND, 2)).isEqualTo(0x0407); // I/O, memory, bus master, INTx disable
        header.write(0x3c / 4, 0, new byte[] {11});
        assertThat(header.get(PciHeader.INTERRUPT_LINE, 1)).isEqualTo(11);
        assertThat(header.get(PciHeader.INTERRUPT_PIN, 1)).isEqualTo(1);
    }

    @Test
    void theSizingProbeAnswersEachBarsSizeAndFlagsAndIsNotAMove() {
        header.allocateBars(ALLOCATOR);
        for (int reg = 4; reg <= 7; reg++) {
            assertThat(header.write(reg, 0, le(0xffff_ffff))).isNull();
        }
        assertThat(header.readRegister(4)).isEqualTo(0xffff_f000); // 4 KiB, 32-bit, not prefetchable
        assertThat(header.readRegister(5)).isEqualTo(0xffff_ffe1); // 32 I/O ports
        assertThat(header.readRegister(6)).isEqualTo(0xffff_c00c); // 16 KiB, 64-bit, prefetchable
        assertThat(header.readRegister(7)).isEqualTo(0xffff_ffff);
        assertThat(header.readRegister(8)).isZero(); // no BAR 4
    }

    @Test
    void allocatedAddressesAreInTheRegistersAndRestoringThemAfterSizingIsNoMove() {
        List<PciBar> bars = header.allocateBars(ALLOCATOR);
        assertThat(bars).extracting(PciBar::index).containsExactly(0, 1, 2);
        assertThat(header.readRegister(4)).isEqualTo(0xc000_0000);
        assertThat(header.readRegister(5)).isEqualTo(0x1001);
        assertThat(header.readRegister(6)).isEqualTo(0x0000_000c);
        assertThat(header.readRegister(7)).isEqualTo(0x10);
        header.write(4, 0, le(0xffff_ffff));
        assertThat(header.write(4, 0, le(0xc000_0000))).isNull();
    }

    @Test
    void aGuestThatMovesABarGetsAReprogramNamingTheBarAndItsOldPlace() {
        header.allocateBars(ALLOCATOR);
        PciDevice.BarReprogram move = header.write(4, 0, le(0xd000_0000));
        assertThat(move.bar().index()).isZero();
        assertThat(move.bar().address()).isEqualTo(0xc000_0000L);
        assertThat(move.newAddress()).isEqualTo(0xd000_0000L);
        header.barMoved(move.bar(), move.newAddress());
        assertThat(header.bars().get(0).address()).isEqualTo(0xd000_0000L);
        assertThat(header.write(4, 0, le(0xd000_0000))).isNull();

        // A 64-bit BAR moves when its high dword changes too; the probe of either half is no move.
        assertThat(header.write(7, 0, le(0xffff_ffff))).isNull();
        PciDevice.BarReprogram high = header.write(7, 0, le(0x20));
        assertThat(high.bar().index()).isEqualTo(2);
        assertThat(high.newAddress()).isEqualTo(0x20_0000_0000L);
    }

    @Test
    void aLowDwordThatLooksLikeAProbeButWasWrittenAsAnAddressIsAMove() {
        header.allocateBars(ALLOCATOR);
        // 0xfff80000 has every address bit of a 4 KiB BAR set in the top, but is an address.
        PciDevice.BarReprogram move = header.write(4, 0, le(0xfff8_0000));
        assertThat(move.newAddress()).isEqualTo(0xfff8_0000L);
    }

    @Test
    void capabilitiesFormAListFromTheStatusBitAndPointer() {
        PciHeader withCaps = PciHeader.builder(1, 2)
                .capability(0x09, new byte[] {3, 0x55}, new byte[] {0, (byte) 0xff}) // vendor-specific
                .capability(0x05, new byte[10], null).build();
        assertThat(withCaps.get(PciHeader.STATUS, 2) & PciHeader.STATUS_CAPABILITIES).isNotZero();
        int first = withCaps.get(PciHeader.CAPABILITIES_POINTER, 1);
        assertThat(first).isEqualTo(0x40);
        assertThat(withCaps.get(first, 1)).isEqualTo(0x09);
        int second = withCaps.get(first + 1, 1);
        assertThat(second).isEqualTo(0x44);
        assertThat(withCaps.get(second, 1)).isEqualTo(0x05);
        assertThat(withCaps.get(second + 1, 1)).isZero();
        assertThat(withCaps.findCapability(0x05)).isEqualTo(0x44);
        assertThat(withCaps.findCapability(0x11)).isEqualTo(-1);
        withCaps.write(first / 4, 2, new byte[] {(byte) 0xaa, (byte) 0xbb});
        assertThat(withCaps.get(first + 2, 2)).isEqualTo(0xbb03); // only the second body byte is writable
    }

    @Test
    void stateRoundTripsAndAnotherDevicesSpaceIsRefused() {
        header.allocateBars(ALLOCATOR);
        header.write(4, 0, le(0xd000_0000));
        byte[] saved = header.state();
        PciHeader fresh = PciHeader.builder(0x1b36, 0x0011).classCode(0x08, 0x80, 0x00).revision(1)
                .subsystem(0x1af4, 0x1100).interruptPin(1)
                .memoryBar(0, 0x1000, false).ioBar(1, 0x20).memoryBar64(2, 0x4000, true).build();
        fresh.restore(saved);
        assertThat(fresh.bars().get(0).address()).isEqualTo(0xd000_0000L);
        PciHeader other = PciHeader.builder(0x1b36, 0x0012).build();
        assertThatThrownBy(() -> other.restore(saved)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("differs at 0x02 in read-only bits");
    }

    @Test
    void badShapesAreRefusedWhenBuilt() {
        assertThatThrownBy(() -> PciHeader.builder(1, 2).memoryBar(0, 0x1800, false))
                .hasMessageContaining("power of two");
        assertThatThrownBy(() -> PciHeader.builder(1, 2).memoryBar64(5, 0x1000, false))
                .hasMessageContaining("needs register 6");
        assertThatThrownBy(() -> PciHeader.builder(1, 2).memoryBar64(0, 0x1000, false).ioBar(1, 4))
                .hasMessageContaining("BAR register 1 is taken");
        assertThatThrownBy(() -> PciHeader.builder(1, 2).interruptPin(5)).hasMessageContaining("0 (none) or 1-4");
    }

    @Test
    void hostileAccessesAreDroppedNotThrown() {
        assertThat(header.write(-1, 0, le(1))).isNull();
        assertThat(header.write(64, 0, le(1))).isNull();
        assertThat(header.write(1, 7, le(1))).isNull();
        assertThat(header.readRegister(-5)).isZero();
        header.write(63, 3, new byte[] {1, 2, 3, 4}); // runs past the register: the extra bytes are dropped
        assertThat(header.readRegister(63)).isZero();
    }
}
