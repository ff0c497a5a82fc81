package io.jvmm.acpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Expected bytes worked out by hand from ACPI 6.4, 20.2 "AML Grammar Definition". */
class AmlTest {
    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void pkgLengthUsesOneByteUpTo63() {
        assertThat(Aml.pkgLength(0)).isEqualTo(bytes(0x00));
        assertThat(Aml.pkgLength(63)).isEqualTo(bytes(0x3f));
    }

    @Test
    void pkgLengthUsesTwoBytesFrom64To4095() {
        // Lead byte: bits 7-6 = 1 following byte, bits 3-0 = low nibble; then bits 11-4.
        assertThat(Aml.pkgLength(64)).isEqualTo(bytes(0x40, 0x04));
        assertThat(Aml.pkgLength(0x123)).isEqualTo(bytes(0x43, 0x12));
        assertThat(Aml.pkgLength(4095)).isEqualTo(bytes(0x4f, 0xff));
    }

    @Test
    void pkgLengthUsesThreeAndFourBytesAbove() {
        assertThat(Aml.pkgLength(4096)).isEqualTo(bytes(0x80, 0x00, 0x01));
        assertThat(Aml.pkgLength(0xf_ffff)).isEqualTo(bytes(0x8f, 0xff, 0xff));
        assertThat(Aml.pkgLength(0x10_0000)).isEqualTo(bytes(0xc0, 0x00, 0x00, 0x01));
        assertThat(Aml.pkgLength(0xfff_ffff)).isEqualTo(bytes(0xcf, 0xff, 0xff, 0xff));
        assertThatThrownBy(() -> Aml.pkgLength(0x1000_0000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thePkgLengthOfABodyCountsItsOwnBytes() {
        assertThat(Aml.withPkgLength(new byte[62])).startsWith(bytes(0x3f)).hasSize(63);
        // 63 + 1 would be 64, too long for one byte: two bytes, value 65.
        assertThat(Aml.withPkgLength(new byte[63])).startsWith(bytes(0x41, 0x04)).hasSize(65);
        assertThat(Aml.withPkgLength(new byte[4093])).startsWith(bytes(0x4f, 0xff)).hasSize(4095);
        // 4094 + 2 = 4096 does not fit 12 bits: three bytes, value 4097.
        assertThat(Aml.withPkgLength(new byte[4094])).startsWith(bytes(0x81, 0x00, 0x01)).hasSize(4097);
    }

    @Test
    void integersUseTheShortestEncoding() {
        assertThat(Aml.integer(0)).isEqualTo(bytes(0x00)); // ZeroOp
        assertThat(Aml.integer(1)).isEqualTo(bytes(0x01)); // OneOp
        assertThat(Aml.integer(-1)).isEqualTo(bytes(0xff)); // OnesOp
        assertThat(Aml.integer(2)).isEqualTo(bytes(0x0a, 0x02));
        assertThat(Aml.integer(0xff)).isEqualTo(bytes(0x0a, 0xff));
        assertThat(Aml.integer(0x100)).isEqualTo(bytes(0x0b, 0x00, 0x01));
        assertThat(Aml.integer(0x1_0000)).isEqualTo(bytes(0x0c, 0x00, 0x00, 0x01, 0x00));
        assertThat(Aml.integer(0xffff_ffffL)).isEqualTo(bytes(0x0c, 0xff, 0xff, 0xff, 0xff));
        assertThat(Aml.integer(0x1_0000_0000L)).isEqualTo(bytes(0x0e, 0, 0, 0, 0, 1, 0, 0, 0));
        assertThat(Aml.integer(-2)).isEqualTo(bytes(0x0e, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    }

    @Test
    void stringsAreNulTerminated() {
        assertThat(Aml.string("abc")).isEqualTo(bytes(0x0d, 'a', 'b', 'c', 0));
        assertThatThrownBy(() -> Aml.string("é")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nameStrings() {
        assertThat(Aml.nameString("_SB")).isEqualTo(bytes('_', 'S', 'B', '_'));
        assertThat(Aml.nameString("\\_S5_")).isEqualTo(bytes('\\', '_', 'S', '5', '_'));
        assertThat(Aml.nameString("\\_SB.PCI0"))
                .isEqualTo(bytes('\\', 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0'));
        assertThat(Aml.nameString("\\_SB.PCI0.COM1"))
                .isEqualTo(bytes('\\', 0x2f, 3, '_', 'S', 'B', '_', 'P', 'C', 'I', '0', 'C', 'O', 'M', '1'));
        assertThat(Aml.nameString("\\")).isEqualTo(bytes('\\', 0x00));
        assertThat(Aml.nameString("^^FOO")).isEqualTo(bytes('^', '^', 'F', 'O', 'O', '_'));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pci0", "1ABC", "ABCDE", "A..B", "A-B", "\\_SB."})
    void badNamesAreRefused(String name) {
        assertThatThrownBy(() -> Aml.nameString(name))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eisaIdsAreCompressedAndByteSwapped() {
        // 'P'=0x10, 'N'=0x0E, 'P'=0x10 -> 0x41D0, product 0x0A03 -> 0x41D00A03, swapped 0x030AD041.
        assertThat(Aml.eisaId("PNP0A03")).isEqualTo(bytes(0x0c, 0x41, 0xd0, 0x0a, 0x03));
        assertThat(Aml.eisaId("PNP0A08")).isEqualTo(bytes(0x0c, 0x41, 0xd0, 0x0a, 0x08));
        assertThat(Aml.eisaId("PNP0501")).isEqualTo(bytes(0x0c, 0x41, 0xd0, 0x05, 0x01));
        assertThat(Aml.eisaId("PNP0303")).isEqualTo(bytes(0x0c, 0x41, 0xd0, 0x03, 0x03));
        assertThatThrownBy(() -> Aml.eisaId("pnp0a03")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namedObjects() {
        assertThat(Aml.name("_UID", Aml.integer(0))).isEqualTo(bytes(0x08, '_', 'U', 'I', 'D', 0x00));
        // Package: PkgLength 8 = itself + NumElements + 2 + 2 + 1 + 1.
        assertThat(Aml.pkg(Aml.integer(5), Aml.integer(5), Aml.integer(0), Aml.integer(0)))
                .isEqualTo(bytes(0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00));
        assertThat(Aml.device("COM1", Aml.name("_UID", Aml.integer(1))))
                .isEqualTo(bytes(0x5b, 0x82, 0x0b, 'C', 'O', 'M', '1', 0x08, '_', 'U', 'I', 'D', 0x01));
        assertThat(Aml.scope("\\_SB")).isEqualTo(bytes(0x10, 0x06, '\\', '_', 'S', 'B', '_'));
        assertThat(Aml.buffer(bytes(1, 2, 3))).isEqualTo(bytes(0x11, 0x06, 0x0a, 0x03, 1, 2, 3));
    }

    @Test
    void aLongScopeGetsAMultiBytePkgLength() {
        byte[] big = new byte[100];
        byte[] scope = Aml.scope("\\_SB", big);
        // body = 5 (name) + 100 = 105, + 2 PkgLength bytes = 107 = 0x6B.
        assertThat(scope).startsWith(bytes(0x10, 0x4b, 0x06)).hasSize(1 + 107);
    }
}
