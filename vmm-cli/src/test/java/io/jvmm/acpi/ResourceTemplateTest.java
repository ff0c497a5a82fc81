package io.jvmm.acpi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Expected bytes worked out by hand from ACPI 6.4, 6.4 "Resource Data Types for ACPI". */
class ResourceTemplateTest {
    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    /** The descriptors without the two End Tag bytes. */
    private static byte[] body(ResourceTemplate t) {
        byte[] all = t.descriptors();
        return java.util.Arrays.copyOf(all, all.length - 2);
    }

    @Test
    void wordBusNumber() {
        assertThat(body(new ResourceTemplate().wordBusNumber(0, 0))).isEqualTo(bytes(
                0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00));
    }

    @Test
    void wordIo() {
        assertThat(body(new ResourceTemplate().wordIo(0x0d00, 0xffff))).isEqualTo(bytes(
                0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03,
                0x00, 0x00, 0x00, 0x0d, 0xff, 0xff, 0x00, 0x00, 0x00, 0xf3));
    }

    @Test
    void dwordMemory() {
        assertThat(body(new ResourceTemplate().dwordMemory(0xc000_0000L, 0xdfff_ffffL, false))).isEqualTo(bytes(
                0x87, 0x17, 0x00, 0x00, 0x0c, 0x01,
                0, 0, 0, 0,
                0x00, 0x00, 0x00, 0xc0,
                0xff, 0xff, 0xff, 0xdf,
                0, 0, 0, 0,
                0x00, 0x00, 0x00, 0x20));
    }

    @Test
    void qwordMemory() {
        assertThat(body(new ResourceTemplate().qwordMemory(0x1_0000_0000L, 0x1_ffff_ffffL, true))).isEqualTo(bytes(
                0x8a, 0x2b, 0x00, 0x00, 0x0c, 0x03,
                0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 1, 0, 0, 0,
                0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 1, 0, 0, 0));
    }

    @Test
    void ioAndIrqs() {
        assertThat(body(new ResourceTemplate().io(0x3f8, 0x3f8, 1, 8)))
                .isEqualTo(bytes(0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08));
        assertThat(body(new ResourceTemplate().irqNoFlags(4))).isEqualTo(bytes(0x22, 0x10, 0x00));
        assertThat(body(new ResourceTemplate().irqNoFlags(1, 12))).isEqualTo(bytes(0x22, 0x02, 0x10));
        assertThat(body(new ResourceTemplate().interrupt(true, false, false, 4)))
                .isEqualTo(bytes(0x89, 0x06, 0x00, 0x03, 0x01, 0x04, 0x00, 0x00, 0x00));
        assertThat(body(new ResourceTemplate().interrupt(false, true, true, 16, 17)))
                .isEqualTo(bytes(0x89, 0x0a, 0x00, 0x0d, 0x02, 0x10, 0, 0, 0, 0x11, 0, 0, 0));
    }

    @Test
    void theEndTagChecksumMakesTheTemplateSumToZero() {
        // 0x22 + 0x10 + 0x79 = 0xAB, so the checksum is 0x55.
        assertThat(new ResourceTemplate().irqNoFlags(4).descriptors()).isEqualTo(bytes(0x22, 0x10, 0x00, 0x79, 0x55));
        byte[] all = new ResourceTemplate().wordBusNumber(0, 0).io(0x60, 0x60, 1, 1).descriptors();
        assertThat(Checksum.sum(all, 0, all.length)).isZero();
    }

    @Test
    void theTemplateIsABuffer() {
        assertThat(new ResourceTemplate().irqNoFlags(4).toAml())
                .isEqualTo(bytes(0x11, 0x08, 0x0a, 0x05, 0x22, 0x10, 0x00, 0x79, 0x55));
    }
}
