package io.jvmm.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.spi.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BootParamsWriterTest {
    private final TestMemory memory = new TestMemory();
    private static final long MIB = 1 << 20;

    private final GuestMemory mem = memory.low(64 * MIB);
    private final RamLayout ram = RamLayout.forSize(64 * MIB);

    private LoadedKernel.BzImage load(SyntheticBzImage k) throws BootException {
        return BzImageLoader.parse(Path.of("bzImage"), k.build()).load(mem, ram);
    }

    @Test
    void writesExactlyTheLoaderFieldsIntoAZeroedPage() throws Exception {
        SyntheticBzImage k = new SyntheticBzImage();
        byte[] image = k.build();
        // Leftovers from an earlier boot must not survive.
        byte[] junk = new byte[4096];
        Arrays.fill(junk, (byte) 0xcc);
        mem.write(0x7000, junk);

        List<E820Entry> e820 = E820Map.of(ram);
        BootEntry entry = BootParamsWriter.write(mem, load(k), "console=ttyS0", Optional.of(new Initrd(0x3f0_0000, 0x1_2345)), e820);

        // Expected page, from boot.rst and bootparam.h offsets.
        ByteBuffer want = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        want.put(0x1f1, image, 0x1f1, 0x26c - 0x1f1); // the header as in the file, up to 0x202 + 0x6a
        want.putShort(0x1fa, (short) 0xffff); // vid_mode: normal
        want.put(0x210, (byte) 0xff); // type_of_loader: undefined
        want.put(0x211, (byte) 0x81); // loadflags: LOADED_HIGH | CAN_USE_HEAP
        want.putInt(0x218, 0x3f0_0000); // ramdisk_image
        want.putInt(0x21c, 0x1_2345); // ramdisk_size
        want.putShort(0x224, (short) 0xfe00); // heap_end_ptr
        want.putInt(0x228, 0x2_0000); // cmd_line_ptr
        want.put(0x1e8, (byte) 5); // e820_entries
        int at = 0x2d0;
        long[][] table = {
            {0, 0x9_fc00, 1},
            {0x9_fc00, 0x400, 2},
            {0xe_0000, 0x2_0000, 2},
            {0x10_0000, 64 * MIB - 0x10_0000, 1},
            {0xe000_0000L, 0x10_0000, 2},
        };
        for (long[] e : table) {
            want.putLong(at, e[0]).putLong(at + 8, e[1]).putInt(at + 16, (int) e[2]);
            at += 20;
        }
        byte[] page = new byte[4096];
        mem.read(0x7000, page);
        assertThat(page).isEqualTo(want.array());

        assertThat(entry).isEqualTo(new BootEntry(0x10_0200, BootEntry.Mode.LINUX_64, 0x7000));
    }

    @Test
    void highBitsOfTheInitrdGoToTheExtFields() throws Exception {
        byte[] page = BootParamsWriter.zeroPage(load(new SyntheticBzImage()).header(), 0x2_0000,
                Optional.of(new Initrd(0x1_2000_0000L, 0x1_0000_1000L)), List.of());
        ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0x218)).isEqualTo(0x2000_0000);
        assertThat(b.getInt(0x0c0)).isEqualTo(1);
        assertThat(b.getInt(0x21c)).isEqualTo(0x1000);
        assertThat(b.getInt(0x0c4)).isEqualTo(1);
    }

    @Test
    void withoutInitrdTheRamdiskFieldsStayZero() throws Exception {
        BootParamsWriter.write(mem, load(new SyntheticBzImage()), "", Optional.empty(), List.of());
        assertThat(mem.readInt(0x7000 + 0x218)).isZero();
        assertThat(mem.readInt(0x7000 + 0x21c)).isZero();
        assertThat(mem.readByte(0x2_0000)).isZero(); // empty command line: just the NUL
    }

    @Test
    void writesTheCommandLineNulTerminated() throws Exception {
        mem.write(0x2_0000, new byte[] {'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'});
        BootParamsWriter.write(mem, load(new SyntheticBzImage()), "root=/dev/vda", Optional.empty(), List.of());
        byte[] got = new byte[14];
        mem.read(0x2_0000, got);
        assertThat(got).isEqualTo("root=/dev/vda\0".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aCommandLineOfExactlyCmdlineSizeFits() throws Exception {
        SyntheticBzImage k = new SyntheticBzImage();
        k.cmdlineSize = 16;
        BootParamsWriter.write(mem, load(k), "a".repeat(16), Optional.empty(), List.of());
        assertThat(mem.readByte(0x2_0000 + 16)).isZero();
    }

    @Test
    void aCommandLineLongerThanCmdlineSizeIsRefused() throws Exception {
        SyntheticBzImage k = new SyntheticBzImage();
        k.cmdlineSize = 16;
        LoadedKernel.BzImage kernel = load(k);
        assertThatThrownBy(() -> BootParamsWriter.write(mem, kernel, "a".repeat(17), Optional.empty(), List.of()))
                .isInstanceOf(BootException.class)
                .hasMessage("kernel command line is 17 bytes long; this kernel's cmdline_size allows at most 16");
    }

    @Test
    void moreThan128E820EntriesAreRefused() throws Exception {
        List<E820Entry> many = java.util.stream.IntStream.range(0, 129)
                .mapToObj(i -> new E820Entry(i * 0x1000L, 0x1000, E820Entry.Type.RAM)).toList();
        LoadedKernel.BzImage kernel = load(new SyntheticBzImage());
        assertThatThrownBy(() -> BootParamsWriter.write(mem, kernel, "", Optional.empty(), many))
                .hasMessage("the memory map has 129 entries; the zero page holds 128");
    }
}
