package io.jvmm.pci;

import io.jvmm.spi.BusRegion;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class PciConfigIoTest {
    private static final int ADDRESS = 0;
    private static final int DATA = 4;

    private final PciRoot root = new PciRoot((device, bar, address) -> { });
    private final PciConfigIo io = new PciConfigIo(root);
    private final FakePciDevice dev = new FakePciDevice("dev");

    PciConfigIoTest() {
        root.addDevice(dev); // slot 1
        dev.registers.put(3, 0x4433_2211);
    }

    private static int address(int bus, int device, int function, int register) {
        return 0x8000_0000 | bus << 16 | device << 11 | function << 8 | register << 2;
    }

    private void outl(int offset, int value) {
        byte[] data = new byte[4];
        PciConfigIo.putInt(data, value);
        io.write(offset, data);
    }

    private long in(int offset, int width) {
        byte[] data = new byte[width];
        io.read(offset, data);
        long value = 0;
        for (int i = width - 1; i >= 0; i--) {
            value = value << 8 | (data[i] & 0xff);
        }
        return value;
    }

    @Test
    void claimsCf8AndCfaToCffButNotTheResetRegister() {
        assertThat(io.regions()).extracting(BusRegion::base, BusRegion::length)
                .containsExactly(tuple(0xcf8L, 1L), tuple(0xcfaL, 6L));
    }

    @Test
    void configAddressReadsBackWithReservedBitsClear() {
        outl(ADDRESS, 0x8000_0000);
        assertThat(in(ADDRESS, 4)).isEqualTo(0x8000_0000L); // Linux's pci_check_type1
        outl(ADDRESS, 0xffff_ffff);
        assertThat(in(ADDRESS, 4)).isEqualTo(0x80ff_fffcL);
    }

    @Test
    void nonDwordAccessesToConfigAddressDoNotTouchIt() {
        outl(ADDRESS, address(0, 1, 0, 3));
        io.write(ADDRESS, new byte[] {0});
        io.write(3, new byte[] {1}); // Linux writes 0x01 to 0xCFB while probing
        assertThat(in(ADDRESS, 4)).isEqualTo(address(0, 1, 0, 3) & 0xffff_ffffL);
        assertThat(in(ADDRESS, 1)).isEqualTo(0xff);
        assertThat(in(2, 2)).isEqualTo(0xffff);
    }

    @Test
    void dataAccessesPickTheBytesOfTheRegister() {
        outl(ADDRESS, address(0, 1, 0, 3));
        assertThat(in(DATA, 4)).isEqualTo(0x4433_2211L);
        assertThat(in(DATA, 2)).isEqualTo(0x2211L);
        assertThat(in(DATA + 2, 2)).isEqualTo(0x4433L);
        for (int i = 0; i < 4; i++) {
            assertThat(in(DATA + i, 1)).isEqualTo(0x11L * (i + 1));
        }
    }

    @Test
    void accessesThatLeaveTheDataRegisterReadAllOnes() {
        outl(ADDRESS, address(0, 1, 0, 3));
        assertThat(in(DATA + 1, 4)).isEqualTo(0xffff_ffffL);
        assertThat(in(DATA + 3, 2)).isEqualTo(0xffffL);
        assertThat(in(DATA + 1, 2)).isEqualTo(0x3322L); // word at 0xCFD stays inside
    }

    @Test
    void dataWritesCarryTheByteOffset() {
        outl(ADDRESS, address(0, 1, 0, 4));
        io.write(DATA + 2, new byte[] {(byte) 0xab});
        io.write(DATA + 1, new byte[] {1, 2});
        outl(DATA, 0x0403_0201);
        io.write(DATA + 3, new byte[] {1, 2}); // leaves the register: dropped
        assertThat(dev.writes).containsExactly("4+2:ab", "4+1:0102", "4+0:01020304");
    }

    @Test
    void disabledAccessesReadAllOnesAndDropWrites() {
        outl(ADDRESS, address(0, 1, 0, 3) & 0x7fff_ffff);
        assertThat(in(DATA, 4)).isEqualTo(0xffff_ffffL);
        outl(DATA, 0x1234);
        assertThat(dev.writes).isEmpty();
    }

    @Test
    void absentDevicesReadAllOnes() {
        outl(ADDRESS, address(0, 7, 0, 0));
        assertThat(in(DATA, 4)).isEqualTo(0xffff_ffffL);
        outl(ADDRESS, address(3, 1, 0, 0));
        assertThat(in(DATA, 2)).isEqualTo(0xffffL);
        outl(ADDRESS, address(0, 1, 2, 0));
        assertThat(in(DATA, 4)).isEqualTo(0xffff_ffffL);
    }

    @Test
    void hostBridgeIsVisibleThroughTheIoMechanism() {
        outl(ADDRESS, address(0, 0, 0, 0));
        assertThat(in(DATA, 4)).isEqualTo(0x0d57_8086L);
        outl(ADDRESS, address(0, 0, 0, 2));
        assertThat(in(DATA + 2, 2)).isEqualTo(0x0600L);
    }

    @Test
    void nonsenseOffsetsAreHarmless() {
        io.read(-1, new byte[4]);
        io.read(100, new byte[8]);
        io.write(Long.MIN_VALUE, new byte[2]);
        io.write(DATA, new byte[8]);
        assertThat(dev.writes).isEmpty();
    }
}
