package io.jvmm.acpi;

import static io.jvmm.acpi.AcpiTestSupport.byteSum;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.memory.TestGuestRam;
import io.jvmm.spi.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MpTableTest {
    /** Owns the native memory: must stay reachable while {@code mem} is used. */
    private final TestGuestRam ram = new TestGuestRam().region(0, 2 << 20);
    private final GuestMemory mem = ram.build();

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 254})
    void writesAChecksummedFloatingPointerAndConfigurationTable(int vcpus) {
        long fp = MpTable.write(mem, vcpus);
        assertThat(fp).isEqualTo(0x9_fc00);
        byte[] f = new byte[16];
        mem.read(fp, f);
        assertThat(new String(f, 0, 4)).isEqualTo("_MP_");
        assertThat(f[8]).isEqualTo((byte) 1);
        assertThat(f[9]).isEqualTo((byte) 4);
        assertThat(byteSum(f, 16)).isZero();

        long config = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getInt(4) & 0xffff_ffffL;
        assertThat(config).isEqualTo(0xf_0000);
        int length = mem.readShort(config + 4) & 0xffff;
        byte[] t = new byte[length];
        mem.read(config, t);
        ByteBuffer b = ByteBuffer.wrap(t).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new String(t, 0, 4)).isEqualTo("PCMP");
        assertThat(t[6]).isEqualTo((byte) 4);
        assertThat(byteSum(t, length)).isZero();
        assertThat(b.getInt(36)).isEqualTo(0xfee0_0000);

        int[] counts = new int[5];
        int entries = b.getShort(34) & 0xffff;
        int at = 44;
        int lastType = 0;
        for (int i = 0; i < entries; i++) {
            int type = t[at];
            assertThat(type).isGreaterThanOrEqualTo(lastType); // sorted by type (MP spec 4.3)
            lastType = type;
            counts[type]++;
            if (type == 0) {
                assertThat(t[at + 1] & 0xff).isEqualTo(counts[0] - 1); // APIC id
                assertThat(t[at + 3]).isEqualTo((byte) (counts[0] == 1 ? 3 : 1)); // EN, BP on the first
            }
            if (type == 2) {
                assertThat(t[at + 1] & 0xff).isEqualTo(vcpus);
                assertThat(b.getInt(at + 4)).isEqualTo(0xfec0_0000);
            }
            at += type == 0 ? 20 : 8;
        }
        assertThat(at).isEqualTo(length);
        assertThat(counts).containsExactly(vcpus, 2, 1, 16 + 31 * 4, 2);
    }

    @ParameterizedTest
    @ValueSource(ints = {1})
    void routesIsaIrqsToTheSameIoApicPinAndPciSlotsByTheLayout(int vcpus) {
        byte[] t = MpTable.configTable(vcpus);
        int firstIo = 44 + 20 * vcpus + 8 * 3;
        for (int irq = 0; irq < 16; irq++) {
            int at = firstIo + 8 * irq;
            assertThat(t[at]).isEqualTo((byte) 3);
            assertThat(t[at + 5]).isEqualTo((byte) irq); // source bus IRQ
            assertThat(t[at + 7]).isEqualTo((byte) irq); // INTIN#
        }
        int pci = firstIo + 8 * 16;
        // slot 1, INTA: source IRQ (1 << 2) | 0, GSI 17.
        assertThat(t[pci + 4]).isEqualTo((byte) 0);
        assertThat(t[pci + 5]).isEqualTo((byte) 4);
        assertThat(t[pci + 7]).isEqualTo((byte) 17);
        int lint = pci + 8 * 124;
        assertThat(new byte[] {t[lint], t[lint + 1], t[lint + 6], t[lint + 7]}).containsExactly(4, 3, 0xff, 0);
        assertThat(new byte[] {t[lint + 8], t[lint + 9], t[lint + 14], t[lint + 15]}).containsExactly(4, 1, 0xff, 1);
    }
}
