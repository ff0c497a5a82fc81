package io.jvmm.vm;

import io.jvmm.kvm.DescriptorTable;
import io.jvmm.kvm.Segment;
import io.jvmm.kvm.Sregs;
import io.jvmm.memory.GuestRam;
import io.jvmm.memory.TestGuestRam;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BootCpuStateTest {
    private static final Segment ZERO = new Segment(0, 0xffff, 0, 3, true, 0, false, true, false, false, false, false);
    private static final Sregs RESET = new Sregs(ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO,
            new DescriptorTable(0, 0xffff), new DescriptorTable(0, 0xffff), 0x60000010L, 0, 0, 0, 0, 0, 0xfee00900L,
            new long[4]);

    @Test
    void longModeGdtHoldsFlatBootCsAndDsAtTheProtocolSelectors() {
        GuestRam ram = new TestGuestRam().region(0, 1 << 20).build();
        BootCpuState.writeLongModeTables(ram);
        // boot.rst: __BOOT_CS is 0x10, __BOOT_DS is 0x18; both 4 GiB flat.
        assertThat(ram.readLong(X86Layout.BOOT_GDT + 0x10)).isEqualTo(0x00af9b000000ffffL);
        assertThat(ram.readLong(X86Layout.BOOT_GDT + 0x18)).isEqualTo(0x00cf93000000ffffL);
        assertThat(ram.readLong(X86Layout.BOOT_GDT)).isZero();
    }

    @Test
    void pageTablesIdentityMapTheFirstFourGibWithLargePages() {
        GuestRam ram = new TestGuestRam().region(0, 1 << 20).build();
        BootCpuState.writeLongModeTables(ram);
        assertThat(ram.readLong(X86Layout.PML4)).isEqualTo(X86Layout.PDPT | 3);
        for (int i = 0; i < 4; i++) {
            long pd = ram.readLong(X86Layout.PDPT + 8L * i) & ~0xfffL;
            assertThat(pd).isEqualTo(X86Layout.PD_BASE + 0x1000L * i);
            // Entry 5 of PD i maps 1 GiB * i + 10 MiB onto itself.
            assertThat(ram.readLong(pd + 8 * 5)).isEqualTo(((long) i << 30) + (5L << 21) | 0x83);
        }
    }

    @Test
    void longModeRegistersEnablePagingAndLma() {
        Sregs s = BootCpuState.longMode(RESET);
        assertThat(s.cr0() & 0x8000_0001L).isEqualTo(0x8000_0001L);
        assertThat(s.cr3()).isEqualTo(X86Layout.PML4);
        assertThat(s.cr4() & 0x20).isNotZero();
        assertThat(s.efer() & 0x500).isEqualTo(0x500);
        assertThat(s.cs().selector()).isEqualTo(0x10);
        assertThat(s.cs().l()).isTrue();
        assertThat(s.cs().db()).isFalse();
        assertThat(s.cs().type()).isEqualTo(0xb);
        assertThat(s.ds().selector()).isEqualTo(0x18);
        assertThat(s.ds().type()).isEqualTo(3);
        assertThat(s.ss().limit()).isEqualTo(0xffffffff);
        assertThat(s.gdt().base()).isEqualTo(X86Layout.BOOT_GDT);
        assertThat(s.apicBase()).as("kept from reset state").isEqualTo(0xfee00900L);
    }

    @Test
    void pvhEntryIsThirtyTwoBitProtectedModeWithoutPaging() {
        Sregs s = BootCpuState.protectedMode(RESET);
        assertThat(s.cr0() & 1).isEqualTo(1);
        assertThat(s.cr0() & 0x8000_0000L).isZero();
        assertThat(s.efer()).isZero();
        assertThat(s.cs().db()).isTrue();
        assertThat(s.cs().l()).isFalse();
    }
}
