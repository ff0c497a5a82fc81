package io.jvmm.vm;

import io.jvmm.kvm.CpuidEntry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CpuidBuilderTest {
    private static final List<CpuidEntry> SUPPORTED = List.of(
            new CpuidEntry(0x1, 0, 0, 0x800f12, 0xff00_0000, 0x0, 0x1000_0000),
            new CpuidEntry(0xb, 0, 1, 7, 7, 7, 7),
            new CpuidEntry(0xb, 1, 1, 7, 7, 7, 7),
            new CpuidEntry(0xb, 2, 1, 7, 7, 7, 7),
            new CpuidEntry(0x8000_0008, 0, 0, 0x3030, 0, 0xffff, 0),
            new CpuidEntry(0x8000_001e, 0, 0, 9, 9, 9, 9),
            new CpuidEntry(0x4000_0000, 0, 0, 0x4000_0001, 0x4b4d564b, 0x564b4d56, 0x4d));

    private static CpuidEntry find(List<CpuidEntry> entries, int function, int index) {
        return entries.stream().filter(e -> e.function() == function && e.index() == index).findFirst().orElseThrow();
    }

    @Test
    void leafOneCarriesTheApicIdAndProcessorCount() {
        List<CpuidEntry> out = CpuidBuilder.forVcpu(SUPPORTED, 3, 4, false);
        CpuidEntry leaf1 = find(out, 1, 0);
        assertThat(leaf1.ebx() >>> 24).isEqualTo(3);
        assertThat((leaf1.ebx() >>> 16) & 0xff).isEqualTo(4);
        assertThat(leaf1.ecx() & (1 << 31)).as("hypervisor bit").isNotZero();
        assertThat(leaf1.edx() & (1 << 28)).as("HTT with several CPUs").isNotZero();
        assertThat(leaf1.ecx() & (1 << 24)).as("no TSC deadline unless KVM has it").isZero();
    }

    @Test
    void singleVcpuHasNoHttBit() {
        CpuidEntry leaf1 = find(CpuidBuilder.forVcpu(SUPPORTED, 0, 1, false), 1, 0);
        assertThat(leaf1.edx() & (1 << 28)).isZero();
    }

    @Test
    void tscDeadlineBitIsSetWhenKvmEmulatesIt() {
        CpuidEntry leaf1 = find(CpuidBuilder.forVcpu(SUPPORTED, 0, 2, true), 1, 0);
        assertThat(leaf1.ecx() & (1 << 24)).isNotZero();
    }

    @Test
    void extendedTopologyDescribesOneThreadPerCoreAndNCores() {
        List<CpuidEntry> out = CpuidBuilder.forVcpu(SUPPORTED, 2, 3, false);
        CpuidEntry smt = find(out, 0xb, 0);
        CpuidEntry core = find(out, 0xb, 1);
        CpuidEntry end = find(out, 0xb, 2);
        assertThat(smt.ebx()).isEqualTo(1);
        assertThat((smt.ecx() >> 8) & 0xff).isEqualTo(1);
        assertThat(core.eax()).as("bits to shift for 3 cores").isEqualTo(2);
        assertThat(core.ebx()).isEqualTo(3);
        assertThat((core.ecx() >> 8) & 0xff).isEqualTo(2);
        assertThat(end.ebx()).isZero();
        assertThat(out.stream().filter(e -> e.function() == 0xb)).allMatch(e -> e.edx() == 2);
    }

    @Test
    void amdLeavesCountCoresAndCarryTheApicId() {
        List<CpuidEntry> out = CpuidBuilder.forVcpu(SUPPORTED, 5, 8, false);
        assertThat(find(out, 0x8000_0008, 0).ecx() & 0xff).isEqualTo(7);
        assertThat((find(out, 0x8000_0008, 0).ecx() >> 12) & 0xf).isEqualTo(3);
        assertThat(find(out, 0x8000_001e, 0).eax()).isEqualTo(5);
    }

    @Test
    void otherLeavesPassThroughUnchanged() {
        List<CpuidEntry> out = CpuidBuilder.forVcpu(SUPPORTED, 1, 2, true);
        assertThat(find(out, 0x4000_0000, 0)).isEqualTo(SUPPORTED.get(6));
        assertThat(out).hasSameSizeAs(SUPPORTED);
    }
}
