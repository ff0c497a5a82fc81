package io.jvmm.acpi;

import static io.jvmm.acpi.AcpiTestSupport.byteSum;
import static io.jvmm.acpi.AcpiTestSupport.indexOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class DsdtTest {
    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    private final byte[] dsdt = Dsdt.build(0x80_0000_0000L, 0x40_0000_0000L);

    @Test
    void hasAValidHeader() {
        ByteBuffer b = ByteBuffer.wrap(dsdt).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new String(dsdt, 0, 4)).isEqualTo("DSDT");
        assertThat(b.getInt(4)).isEqualTo(dsdt.length);
        assertThat(dsdt[8]).isEqualTo((byte) 2);
        assertThat(new String(dsdt, 10, 6)).isEqualTo("JVMM  ");
        assertThat(new String(dsdt, 16, 8)).isEqualTo("JVMMVM  ");
        assertThat(byteSum(dsdt, dsdt.length)).isZero();
    }

    @Test
    void declaresS5WithSlpTyp5() {
        // NameOp \_S5_ PackageOp PkgLength NumElements=4 BytePrefix 5 BytePrefix 5 Zero Zero.
        byte[] s5 = bytes(0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00);
        assertThat(indexOf(dsdt, s5)).isEqualTo(36);
    }

    @Test
    void declaresThePciRootBridge() {
        assertThat(indexOf(dsdt, bytes(0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x08))).isPositive();
        assertThat(indexOf(dsdt, bytes(0x08, '_', 'C', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03))).isPositive();
        assertThat(indexOf(dsdt, bytes(0x08, '_', 'B', 'B', 'N', 0x00))).isPositive();
        assertThat(indexOf(dsdt, bytes(0x08, '_', 'S', 'E', 'G', 0x00))).isPositive();
        // The 64-bit window: min 0x80_0000_0000, length 0x40_0000_0000.
        byte[] window = new ResourceTemplate().qwordMemory(0x80_0000_0000L, 0xbf_ffff_ffffL, true).descriptors();
        assertThat(indexOf(dsdt, java.util.Arrays.copyOf(window, window.length - 2))).isPositive();
        assertThat(indexOf(dsdt, bytes('P', 'C', 'I', '0'))).isPositive();
    }

    @Test
    void withoutA64BitWindowTheresNoQWordMemory() {
        byte[] pci = Dsdt.pci0(0, 0);
        assertThat(indexOf(pci, bytes(0x8a, 0x2b, 0x00))).isEqualTo(-1);
        assertThat(indexOf(pci, bytes(0x87, 0x17, 0x00))).isPositive();
    }

    @Test
    void routesEveryPinOfSlots1To31() {
        byte[] prt = Dsdt.prt();
        assertThat(prt[0]).isEqualTo((byte) 0x12);
        assertThat(prt[1] & 0xc0).isEqualTo(0x40); // a two-byte PkgLength
        assertThat(prt[3]).isEqualTo((byte) 124);
        // {0x0001FFFF, 0, Zero, 17}: slot 1 INTA -> GSI 16 + (1 + 0) % 8.
        assertThat(indexOf(prt, bytes(0x12, 0x0b, 0x04, 0x0c, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x11))).isEqualTo(4);
        // {0x001FFFFF, 3, Zero, 16 + (31 + 3) % 8 = 18}, the last one.
        byte[] last = bytes(0x12, 0x0c, 0x04, 0x0c, 0xff, 0xff, 0x1f, 0x00, 0x0a, 0x03, 0x00, 0x0a, 0x12);
        assertThat(indexOf(prt, last)).isEqualTo(prt.length - last.length);
    }

    @Test
    void declaresCom1AndTheKeyboard() {
        byte[] com1 = Dsdt.com1();
        assertThat(indexOf(com1, bytes(0x0c, 0x41, 0xd0, 0x05, 0x01))).isPositive();
        assertThat(indexOf(com1, bytes(0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08, 0x22, 0x10, 0x00))).isPositive();
        byte[] kbd = Dsdt.keyboard();
        assertThat(indexOf(kbd, bytes(0x0c, 0x41, 0xd0, 0x03, 0x03))).isPositive();
        assertThat(indexOf(kbd, bytes(0x47, 0x01, 0x60, 0x00, 0x60, 0x00, 0x01, 0x01,
                0x47, 0x01, 0x64, 0x00, 0x64, 0x00, 0x01, 0x01, 0x22, 0x02, 0x00))).isPositive();
    }
}
