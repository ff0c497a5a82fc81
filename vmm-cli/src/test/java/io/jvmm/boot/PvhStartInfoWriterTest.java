package io.jvmm.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.spi.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PvhStartInfoWriterTest {
    private final TestMemory memory = new TestMemory();
    private final GuestMemory mem = memory.low(32 << 20);

    @Test
    void writesStartInfoModuleAndMemoryMap() throws Exception {
        List<E820Entry> e820 = List.of(
                new E820Entry(0, 0x9_fc00, E820Entry.Type.RAM),
                new E820Entry(0x10_0000, 0x1f0_0000, E820Entry.Type.RAM));
        LoadedKernel.Pvh kernel = new LoadedKernel.Pvh(0x100_0000, 0x110_0000, 32 << 20);
        BootEntry entry = PvhStartInfoWriter.write(mem, kernel, "console=ttyS0",
                Optional.of(new Initrd(0x1f0_0000, 0x1234)), e820, 0xe_0000);

        assertThat(entry).isEqualTo(new BootEntry(0x100_0000, BootEntry.Mode.PVH_32, 0x6000));
        // start_info.h, struct hvm_start_info (version 1).
        ByteBuffer want = ByteBuffer.allocate(0x80 + 2 * 24).order(ByteOrder.LITTLE_ENDIAN);
        want.putInt(0x00, 0x336e_c578).putInt(0x04, 1).putInt(0x08, 0).putInt(0x0c, 1);
        want.putLong(0x10, 0x6040).putLong(0x18, 0x2_0000).putLong(0x20, 0xe_0000);
        want.putLong(0x28, 0x6080).putInt(0x30, 2).putInt(0x34, 0);
        want.putLong(0x40, 0x1f0_0000).putLong(0x48, 0x1234).putLong(0x50, 0).putLong(0x58, 0);
        want.putLong(0x80, 0).putLong(0x88, 0x9_fc00).putInt(0x90, 1).putInt(0x94, 0);
        want.putLong(0x98, 0x10_0000).putLong(0xa0, 0x1f0_0000).putInt(0xa8, 1).putInt(0xac, 0);
        byte[] got = new byte[want.capacity()];
        mem.read(0x6000, got);
        assertThat(got).isEqualTo(want.array());
        assertThat(mem.readByte(0x2_0000 + 13)).isZero();
    }

    @Test
    void withoutInitrdThereAreNoModules() throws Exception {
        PvhStartInfoWriter.write(mem, new LoadedKernel.Pvh(0x100_0000, 0x110_0000, 32 << 20), "", Optional.empty(),
                List.of(new E820Entry(0, 0x9_fc00, E820Entry.Type.RAM)), 0);
        assertThat(mem.readInt(0x6000 + 0x0c)).isZero();
        assertThat(mem.readLong(0x6000 + 0x10)).isZero();
        assertThat(mem.readLong(0x6000 + 0x20)).isZero();
    }
}
