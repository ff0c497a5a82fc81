package io.jvmm.snapshot;

import io.jvmm.kvm.DescriptorTable;
import io.jvmm.kvm.KvmStruct;
import io.jvmm.kvm.LapicState;
import io.jvmm.kvm.MsrEntry;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Segment;
import io.jvmm.kvm.Sregs;
import io.jvmm.spi.ComponentState;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

class SnapshotFileTest {
    private static KvmStruct struct(KvmStruct.Kind kind, int seed) {
        byte[] b = new byte[kind.size()];
        new Random(seed).nextBytes(b);
        return new KvmStruct(kind, b);
    }

    private static KvmStruct chip(int id) {
        byte[] b = struct(KvmStruct.Kind.IRQCHIP, id).bytes();
        ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, id);
        return new KvmStruct(KvmStruct.Kind.IRQCHIP, b);
    }

    static VcpuState vcpu(int index) {
        Segment seg = new Segment(0x1000, 0xffff, 8, 0xb, true, 0, false, true, true, true, false, false);
        Sregs sregs = new Sregs(seg, seg, seg, seg, seg, seg, seg, seg, new DescriptorTable(0x500, 0x27),
                new DescriptorTable(0x600, 0xfff), 0x80050033L, 0, 0x9000, 0x20, 0, 0x500, 0xfee00900L, new long[4]);
        Regs regs = new Regs(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0xffffffff81000000L, 0x246);
        byte[] xcrs = new byte[KvmStruct.Kind.XCRS.size()];
        xcrs[0] = 1;
        byte[] lapic = new byte[LapicState.SIZE];
        new Random(index).nextBytes(lapic);
        return new VcpuState(index, regs, sregs, struct(KvmStruct.Kind.FPU, 1), struct(KvmStruct.Kind.XSAVE, 2),
                new KvmStruct(KvmStruct.Kind.XCRS, xcrs), List.of(new MsrEntry(0x10, 123456789L), new MsrEntry(0xc0000080, 0x500)),
                new LapicState(lapic), 0, struct(KvmStruct.Kind.VCPU_EVENTS, 3), struct(KvmStruct.Kind.DEBUGREGS, 4),
                2_000_000);
    }

    static Snapshot sample() {
        VmState vm = new VmState(chip(0), chip(1), chip(2), struct(KvmStruct.Kind.PIT2, 5), 123_456_789L);
        MemoryIndex mem = new MemoryIndex("memory.bin", List.of(new MemoryIndex.Region(0, 0x100000, 0),
                new MemoryIndex.Region(0x1_0000_0000L, 0x100000, 0x100000)),
                List.of(new MemoryIndex.Extent(0x1000, 0x2000), new MemoryIndex.Extent(0x100000, 0x1000)), 0xabcdef);
        return new Snapshot(new SnapshotConfig("/vm/vm.toml", "[vm]\nmemory = \"2M\"\n", 0x200000, 2), vm,
                List.of(vcpu(0), vcpu(1)),
                List.of(new ComponentState("com1", 1, new byte[] {1, 2, 3}), new ComponentState("i8042", 1, new byte[0])),
                mem);
    }

    @Test
    void everyRecordRoundTrips() throws SnapshotException {
        Snapshot s = sample();
        Snapshot back = SnapshotFile.decode("t", SnapshotFile.encode(s));
        assertThat(back.config()).isEqualTo(s.config());
        assertThat(back.vm()).isEqualTo(s.vm());
        assertThat(back.memory()).isEqualTo(s.memory());
        assertThat(back.devices()).isEqualTo(s.devices());
        assertThat(back.vcpus()).hasSize(2);
        for (int i = 0; i < 2; i++) {
            VcpuState a = s.vcpus().get(i);
            VcpuState b = back.vcpus().get(i);
            assertThat(b.regs()).isEqualTo(a.regs());
            assertThat(b.sregs().toBytes()).isEqualTo(a.sregs().toBytes());
            assertThat(b.lapic().registers()).isEqualTo(a.lapic().registers());
            assertThat(List.of(b.fpu(), b.xsave(), b.xcrs(), b.events(), b.debugRegs()))
                    .isEqualTo(List.of(a.fpu(), a.xsave(), a.xcrs(), a.events(), a.debugRegs()));
            assertThat(b.msrs()).isEqualTo(a.msrs());
            assertThat(b.mpState()).isEqualTo(a.mpState());
            assertThat(b.tscKhz()).isEqualTo(a.tscKhz());
        }
    }

    @Test
    void recordedHostFilesRoundTripAndAreOptional() throws SnapshotException {
        Snapshot s = sample();
        HostFiles files = new HostFiles(List.of(
                new HostFiles.Entry("device[1].path", "/vm/disk.img",
                        java.util.Optional.of(new HostFiles.Identity("/data/disk.img", 2049, 1234, 0, false, 1 << 20, 99))),
                new HostFiles.Entry("serial.path", "/vm/serial.log", java.util.Optional.empty())));
        Snapshot with = new Snapshot(s.config(), s.vm(), s.vcpus(), s.devices(), s.memory(), files);
        assertThat(SnapshotFile.decode("t", SnapshotFile.encode(with)).hostFiles()).isEqualTo(files);
        assertThat(SnapshotFile.decode("t", SnapshotFile.encode(s)).hostFiles()).isEqualTo(HostFiles.NONE);
    }

    @Test
    void aHostFilesRecordClaimingMillionsOfEntriesIsRejected() {
        byte[] payload = ByteBuffer.allocate(4).putInt(5_000_000).array();
        assertThatThrownBy(() -> HostFiles.decode("host-files", 1, payload)).isInstanceOf(SnapshotException.class)
                .hasMessageContaining("5000000 host files");
    }

    @Test
    void everySingleByteChangeIsRejectedWithASnapshotException() {
        byte[] good = SnapshotFile.encode(sample());
        for (int i = 0; i < good.length; i += 7) {
            byte[] bad = good.clone();
            bad[i] ^= 0x20;
            try {
                SnapshotFile.decode("t", bad);
                fail("byte " + i + " changed but accepted");
            } catch (SnapshotException e) {
                assertThat(e.getMessage()).doesNotContain("\n");
            }
        }
    }

    @Test
    void everyTruncationIsRejected() {
        byte[] good = SnapshotFile.encode(sample());
        for (int len = 0; len < good.length; len += 3) {
            int n = len;
            assertThatThrownBy(() -> SnapshotFile.decode("t", Arrays.copyOf(good, n)))
                    .as("truncated to %d", n).isInstanceOf(SnapshotException.class);
        }
        assertThatThrownBy(() -> SnapshotFile.decode("t", Arrays.copyOf(good, good.length - 10)))
                .hasMessageContaining("truncated");
    }

    @Test
    void unknownFormatVersionIsNamed() {
        byte[] b = SnapshotFile.encode(sample());
        ByteBuffer.wrap(b).putInt(8, 99);
        ByteBuffer.wrap(b).putInt(12, SnapshotFile.crc(b, 0, 12));
        assertThatThrownBy(() -> SnapshotFile.decode("t", b)).isInstanceOf(SnapshotException.class)
                .hasMessageContaining("format version 99");
    }

    @Test
    void badMagicSaysNotASnapshot() {
        byte[] b = SnapshotFile.encode(sample());
        b[0] = 'X';
        assertThatThrownBy(() -> SnapshotFile.decode("t", b)).hasMessageContaining("not a jvmm snapshot");
    }

    @Test
    void unknownRecordVersionIsRejected() {
        assertThatThrownBy(() -> VcpuState.decode("vcpu0", 2, vcpu(0).encode())).isInstanceOf(SnapshotException.class)
                .hasMessageContaining("version 2");
        assertThatThrownBy(() -> VmState.decode("vm", 7, sample().vm().encode())).hasMessageContaining("version 7");
    }

    @Test
    void vcpuStateValidationRejectsImpossibleValues() {
        VcpuState v = vcpu(0);
        assertThatThrownBy(() -> new VcpuState(0, new Regs(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                v.sregs(), v.fpu(), v.xsave(), v.xcrs(), v.msrs(), v.lapic(), 0, v.events(), v.debugRegs(), 1))
                .hasMessageContaining("RFLAGS");
        assertThatThrownBy(() -> new VcpuState(0, v.regs(), v.sregs(), v.fpu(), v.xsave(), v.xcrs(), v.msrs(), v.lapic(),
                42, v.events(), v.debugRegs(), 1)).hasMessageContaining("MP state");
        assertThatThrownBy(() -> new VcpuState(0, v.regs(), v.sregs(), v.xsave(), v.xsave(), v.xcrs(), v.msrs(),
                v.lapic(), 0, v.events(), v.debugRegs(), 1)).hasMessageContaining("FPU");
        assertThatThrownBy(() -> new KvmStruct(KvmStruct.Kind.PIT2, new byte[5])).hasMessageContaining("112");
    }

    @Test
    void vmStateChecksIrqchipIds() {
        VmState s = sample().vm();
        assertThatThrownBy(() -> new VmState(s.picSlave(), s.picSlave(), s.ioapic(), s.pit(), 0))
                .hasMessageContaining("PIC master");
    }

    @Test
    void memoryIndexRejectsOverlappingOrOutOfRangeExtents() {
        var regions = List.of(new MemoryIndex.Region(0, 0x10000, 0));
        assertThatThrownBy(() -> new MemoryIndex("memory.bin", regions,
                List.of(new MemoryIndex.Extent(0x2000, 0x2000), new MemoryIndex.Extent(0x3000, 0x1000)), 0))
                .hasMessageContaining("extent");
        assertThatThrownBy(() -> new MemoryIndex("memory.bin", regions, List.of(new MemoryIndex.Extent(0xf000, 0x2000)), 0))
                .hasMessageContaining("extent");
        assertThatThrownBy(() -> new MemoryIndex("../etc/passwd", regions, List.of(), 0)).hasMessageContaining("file name");
    }

    @Test
    void vcpuCountMustMatchTheConfig() {
        Snapshot s = sample();
        Snapshot one = new Snapshot(s.config(), s.vm(), List.of(s.vcpus().get(0)), s.devices(), s.memory());
        assertThatThrownBy(() -> SnapshotFile.decode("t", SnapshotFile.encode(one))).hasMessageContaining("vCPU");
    }
}
