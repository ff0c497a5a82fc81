package io.jvmm.pci;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PciEcamTest {
    private final PciRoot root = new PciRoot((device, bar, address) -> { });
    private final PciEcam ecam = new PciEcam(root);
    private final FakePciDevice dev = new FakePciDevice("dev");

    PciEcamTest() {
        root.addDevice(dev); // slot 1
        dev.registers.put(0x100 / 4, 0x0001_0001);
        dev.registers.put(0x3ff, 0xcafe_f00d);
    }

    private long read(long offset, int width) {
        byte[] data = new byte[width];
        ecam.read(offset, data);
        long value = 0;
        for (int i = width - 1; i >= 0; i--) {
            value = value << 8 | (data[i] & 0xff);
        }
        return value;
    }

    @Test
    void coversBusZeroAtTheLayoutAddress() {
        assertThat(ecam.regions()).singleElement().satisfies(r -> {
            assertThat(r.base()).isEqualTo(0xe000_0000L);
            assertThat(r.length()).isEqualTo(0x10_0000L);
        });
    }

    @Test
    void offsetsDecodeToDeviceFunctionAndRegister() {
        assertThat(read(0, 4)).isEqualTo(0x0d57_8086L);
        assertThat(read(1 << 15 | 0x100, 4)).isEqualTo(0x0001_0001L);
        assertThat(read(1 << 15 | 0xffc, 4)).isEqualTo(0xcafe_f00dL);
        assertThat(read(1 << 15 | 0xffe, 2)).isEqualTo(0xcafeL);
        assertThat(read(1 << 15 | 0xffd, 1)).isEqualTo(0xf0L);
        assertThat(read(2 << 15, 4)).isEqualTo(0xffff_ffffL);
        assertThat(read(1 << 15 | 1 << 12, 4)).as("function 1").isEqualTo(0xffff_ffffL);
    }

    @Test
    void hostBridgeHasNoExtendedCapabilities() {
        assertThat(read(0x100, 4)).isZero();
    }

    @Test
    void writesCarryRegisterAndByteOffset() {
        ecam.write(1 << 15 | 0x10 | 2, new byte[] {5, 6});
        ecam.write(1 << 15 | 0x48, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        ecam.write(1 << 15 | 0x44, new byte[8]); // not 8-aligned: dropped
        assertThat(dev.writes).containsExactly("4+2:0506", "18+0:01020304", "19+0:05060708");
    }

    @Test
    void qwordReadsAreTwoDwords() {
        dev.registers.put(4, 0x1111_1111);
        dev.registers.put(5, 0x2222_2222);
        assertThat(read(1 << 15 | 0x10, 8)).isEqualTo(0x2222_2222_1111_1111L);
    }

    @Test
    void misalignedAndOutOfWindowAccessesReadAllOnes() {
        assertThat(read(1 << 15 | 0x3, 2)).isEqualTo(0xffffL);
        assertThat(read(1 << 15 | 0x2, 4)).isEqualTo(0xffff_ffffL);
        assertThat(read(1 << 15 | 0x4, 8)).isEqualTo(-1L);
        assertThat(read(0x10_0000, 4)).isEqualTo(0xffff_ffffL);
        assertThat(read(-4, 4)).isEqualTo(0xffff_ffffL);
        ecam.write(1 << 15 | 0x3, new byte[] {1, 2});
        assertThat(dev.writes).isEmpty();
    }
}
