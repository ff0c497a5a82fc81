package io.jvmm.acpi;

import static io.jvmm.acpi.AcpiTestSupport.byteSum;
import static io.jvmm.acpi.AcpiTestSupport.signature;
import static io.jvmm.acpi.AcpiTestSupport.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.memory.TestGuestRam;
import io.jvmm.spi.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AcpiTablesTest {
    /** Owns the native memory: must stay reachable while {@code mem} is used. */
    private final TestGuestRam ram = new TestGuestRam().region(0, 2 << 20);
    private final GuestMemory mem = ram.build();

    private static ByteBuffer le(byte[] t) {
        return ByteBuffer.wrap(t).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The tables the XSDT points to, in order. */
    private List<Long> xsdtEntries(long rsdp) {
        byte[] xsdt = table(mem, mem.readLong(rsdp + 24));
        List<Long> out = new ArrayList<>();
        for (int at = 36; at < xsdt.length; at += 8) {
            out.add(le(xsdt).getLong(at));
        }
        return out;
    }

    @Test
    void theRsdpIsWhereLinuxSearchesAndBothChecksumsHold() {
        long rsdp = AcpiTables.write(mem, 2, 0x80_0000_0000L, 0x40_0000_0000L);
        assertThat(rsdp).isEqualTo(0xe_0000);
        byte[] r = new byte[36];
        mem.read(rsdp, r);
        assertThat(new String(r, 0, 8)).isEqualTo("RSD PTR ");
        assertThat(r[15]).isEqualTo((byte) 2);
        assertThat(le(r).getInt(16)).isZero(); // no RSDT
        assertThat(le(r).getInt(20)).isEqualTo(36);
        assertThat(byteSum(r, 20)).isZero();
        assertThat(byteSum(r, 36)).isZero();
    }

    @Test
    void everyTableIsChecksummedAlignedAndBelow1MiB() {
        long rsdp = AcpiTables.write(mem, 4, 0x80_0000_0000L, 0x40_0000_0000L);
        List<Long> tables = new ArrayList<>(xsdtEntries(rsdp));
        tables.add(mem.readLong(rsdp + 24));
        byte[] fadt = table(mem, tables.get(0));
        tables.add(le(fadt).getLong(140)); // X_DSDT
        for (long t : tables) {
            byte[] bytes = table(mem, t);
            assertThat(byteSum(bytes, bytes.length)).as(signature(mem, t)).isZero();
            assertThat(t % 16).isZero();
            assertThat(t).isGreaterThanOrEqualTo(0xe_0100);
            assertThat(t + bytes.length).isLessThanOrEqualTo(0xf_0000);
            assertThat(new String(bytes, 10, 6)).isEqualTo("JVMM  ");
            assertThat(new String(bytes, 16, 8)).isEqualTo("JVMMVM  ");
            assertThat(new String(bytes, 28, 4)).isEqualTo("JVMM");
        }
    }

    @Test
    void rsdpLeadsToXsdtToFadtToDsdt() {
        long rsdp = AcpiTables.write(mem, 1, 0, 0);
        long xsdt = mem.readLong(rsdp + 24);
        assertThat(signature(mem, xsdt)).isEqualTo("XSDT");
        List<Long> entries = xsdtEntries(rsdp);
        assertThat(entries).extracting(a -> signature(mem, a)).containsExactly("FACP", "APIC", "MCFG");
        byte[] fadt = table(mem, entries.get(0));
        long dsdt = le(fadt).getLong(140);
        assertThat(le(fadt).getInt(40)).isEqualTo((int) dsdt);
        assertThat(signature(mem, dsdt)).isEqualTo("DSDT");
        long facs = le(fadt).getLong(132);
        assertThat(le(fadt).getInt(36)).isEqualTo((int) facs);
        assertThat(signature(mem, facs)).isEqualTo("FACS");
        assertThat(mem.readInt(facs + 4)).isEqualTo(64);
        assertThat(facs % 64).isZero();
    }

    @Test
    void theFadtDescribesTheVmmsFixedHardware() {
        byte[] fadt = Fadt.build(0xe_1000, 0xe_0f00);
        ByteBuffer b = le(fadt);
        assertThat(fadt).hasSize(276);
        assertThat(b.getInt(4)).isEqualTo(276);
        assertThat(fadt[8]).isEqualTo((byte) 6);
        assertThat(fadt[131]).isEqualTo((byte) 4);
        assertThat(b.getShort(46)).isEqualTo((short) 9); // SCI_INT
        assertThat(b.getInt(48)).isZero(); // SMI_CMD: ACPI is always enabled
        assertThat(b.getInt(56)).isEqualTo(0x600); // PM1a_EVT_BLK
        assertThat(b.getInt(64)).isEqualTo(0x604); // PM1a_CNT_BLK
        assertThat(b.getInt(76)).isZero(); // PM_TMR_BLK
        assertThat(fadt[88]).isEqualTo((byte) 4);
        assertThat(fadt[89]).isEqualTo((byte) 2);
        assertThat(b.getShort(109)).isEqualTo((short) 0x6); // 8042 | VGA not present
        assertThat(b.getInt(112)).isEqualTo(0x1 | 0x4 | 0x10 | 0x20 | 0x400);
        byte[] gas = new byte[12];
        b.get(116, gas);
        assertThat(gas).containsExactly(1, 8, 0, 1, (byte) 0xf9, 0x0c, 0, 0, 0, 0, 0, 0); // RESET_REG
        assertThat(fadt[128]).isEqualTo((byte) 6);
        assertThat(b.getLong(132)).isEqualTo(0xe_0f00);
        assertThat(b.getLong(140)).isEqualTo(0xe_1000);
        b.get(148, gas);
        assertThat(gas).containsExactly(1, 32, 0, 2, 0x00, 0x06, 0, 0, 0, 0, 0, 0); // X_PM1a_EVT_BLK
        b.get(172, gas);
        assertThat(gas).containsExactly(1, 16, 0, 2, 0x04, 0x06, 0, 0, 0, 0, 0, 0); // X_PM1a_CNT_BLK
        assertThat(new String(fadt, 268, 8)).isEqualTo("JVMM\0\0\0\0");
        assertThat(byteSum(fadt, fadt.length)).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8, 254})
    void theMadtHasOneLocalApicPerVcpu(int vcpus) {
        byte[] madt = Madt.build(vcpus);
        ByteBuffer b = le(madt);
        assertThat(b.getInt(4)).isEqualTo(madt.length);
        assertThat(b.getInt(36)).isEqualTo(0xfee0_0000);
        assertThat(b.getInt(40)).isEqualTo(1); // PCAT_COMPAT
        int lapics = 0;
        int at = 44;
        List<Integer> types = new ArrayList<>();
        while (at < madt.length) {
            int type = madt[at];
            int len = madt[at + 1];
            types.add(type);
            switch (type) {
                case 0 -> {
                    assertThat(madt[at + 2] & 0xff).isEqualTo(lapics); // UID
                    assertThat(madt[at + 3] & 0xff).isEqualTo(lapics); // APIC id
                    assertThat(b.getInt(at + 4)).isEqualTo(1);
                    lapics++;
                }
                case 1 -> {
                    assertThat(madt[at + 2] & 0xff).isEqualTo(vcpus);
                    assertThat(b.getInt(at + 4)).isEqualTo(0xfec0_0000);
                    assertThat(b.getInt(at + 8)).isZero();
                }
                case 2 -> {
                    assertThat(madt[at + 2]).isZero();
                    assertThat(madt[at + 3]).isEqualTo((byte) 9);
                    assertThat(b.getInt(at + 4)).isEqualTo(9);
                    assertThat(b.getShort(at + 8)).isEqualTo((short) 0x000d);
                }
                case 4 -> {
                    assertThat(madt[at + 2]).isEqualTo((byte) 0xff);
                    assertThat(madt[at + 5]).isEqualTo((byte) 1);
                }
                default -> throw new AssertionError("unexpected MADT entry type " + type);
            }
            at += len;
        }
        assertThat(at).isEqualTo(madt.length);
        assertThat(lapics).isEqualTo(vcpus);
        assertThat(types.subList(vcpus, types.size())).containsExactly(1, 2, 4);
        assertThat(byteSum(madt, madt.length)).isZero();
    }

    @Test
    void theMcfgCoversBus0OfTheEcamWindow() {
        byte[] mcfg = Mcfg.build();
        ByteBuffer b = le(mcfg);
        assertThat(mcfg).hasSize(60);
        assertThat(b.getLong(44)).isEqualTo(0xe000_0000L);
        assertThat(b.getShort(52)).isZero();
        assertThat(mcfg[54]).isZero();
        assertThat(mcfg[55]).isZero();
        assertThat(byteSum(mcfg, mcfg.length)).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 255})
    void vcpuCountsOutsideTheApicIdRangeAreRefused(int vcpus) {
        assertThatThrownBy(() -> AcpiTables.write(mem, vcpus, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
