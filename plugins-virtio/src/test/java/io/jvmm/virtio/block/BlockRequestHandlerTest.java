package io.jvmm.virtio.block;

import static io.jvmm.virtio.block.BlockRequestHandler.S_IOERR;
import static io.jvmm.virtio.block.BlockRequestHandler.S_OK;
import static io.jvmm.virtio.block.BlockRequestHandler.S_UNSUPP;
import static io.jvmm.virtio.block.Chains.blkHeader;
import static io.jvmm.virtio.block.Chains.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.virtio.DescriptorChain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockRequestHandlerTest {
    private static final int IMAGE_BYTES = 1 << 20;
    private static final long CAPACITY = IMAGE_BYTES / 512;

    @TempDir
    Path dir;

    private final TestMemory memory = new TestMemory(4 << 20);
    private Chains chains = new Chains(memory, 0x1000, 8);
    private DiskImage image;
    private byte[] original;

    private BlockRequestHandler handler(boolean readOnly, boolean direct) throws Exception {
        Path path = dir.resolve("disk.img");
        original = new byte[IMAGE_BYTES];
        new Random(42).nextBytes(original);
        Files.write(path, original);
        image = DiskImage.open(path, readOnly, direct);
        return new BlockRequestHandler(image, new BlockRequestHandler.Limits(CAPACITY,
                "serial-1".getBytes(StandardCharsets.US_ASCII), 1 << 22, 4, 1 << 22, 4, true));
    }

    @AfterEach
    void closeImage() {
        if (image != null) {
            image.close();
        }
    }

    private byte[] file() throws IOException {
        return Files.readAllBytes(dir.resolve("disk.img"));
    }

    @Test
    void readFillsGuestBuffersAcrossDescriptorsAndReportsOk() throws Exception {
        BlockRequestHandler h = handler(false, false);
        chains.out(blkHeader(BlockRequestHandler.T_IN, 3));
        long a = chains.in(1000);
        long b = chains.in(24);
        long status = chains.in(1);
        DescriptorChain c = chains.chain();

        assertThat(h.handle(c)).isEqualTo(1025);
        assertThat(memory.bytes(a, 1000)).isEqualTo(Arrays.copyOfRange(original, 3 * 512, 3 * 512 + 1000));
        assertThat(memory.bytes(b, 24)).isEqualTo(Arrays.copyOfRange(original, 3 * 512 + 1000, 5 * 512));
        assertThat(memory.readByte(status)).isEqualTo(S_OK);
    }

    @Test
    void headerDataAndStatusMayShareDescriptors() throws Exception {
        BlockRequestHandler h = handler(false, false);
        byte[] data = new byte[512];
        Arrays.fill(data, (byte) 0x5A);
        byte[] headerAndData = new byte[16 + 512];
        System.arraycopy(blkHeader(BlockRequestHandler.T_OUT, 7), 0, headerAndData, 0, 16);
        System.arraycopy(data, 0, headerAndData, 16, 512);
        chains.out(headerAndData);
        long status = chains.in(1);

        assertThat(h.handle(chains.chain())).isEqualTo(1);
        assertThat(memory.readByte(status)).isEqualTo(S_OK);
        assertThat(Arrays.copyOfRange(file(), 7 * 512, 8 * 512)).isEqualTo(data);
    }

    @Test
    void writeStoresGuestDataAtTheSector() throws Exception {
        BlockRequestHandler h = handler(false, false);
        byte[] data = new byte[1024];
        new Random(1).nextBytes(data);
        chains.out(blkHeader(BlockRequestHandler.T_OUT, CAPACITY - 2));
        chains.out(Arrays.copyOfRange(data, 0, 100));
        chains.out(Arrays.copyOfRange(data, 100, 1024));
        long status = chains.in(1);

        h.handle(chains.chain());
        assertThat(memory.readByte(status)).isEqualTo(S_OK);
        byte[] f = file();
        assertThat(Arrays.copyOfRange(f, IMAGE_BYTES - 1024, IMAGE_BYTES)).isEqualTo(data);
        assertThat(Arrays.copyOfRange(f, 0, IMAGE_BYTES - 1024)).isEqualTo(Arrays.copyOfRange(original, 0, IMAGE_BYTES - 1024));
    }

    @Test
    void readOnlyImageRefusesWritesWithIoErrAndKeepsTheFile() throws Exception {
        BlockRequestHandler h = handler(true, false);
        chains.out(blkHeader(BlockRequestHandler.T_OUT, 0));
        chains.out(new byte[512]);
        long status = chains.in(1);

        h.handle(chains.chain());
        assertThat(memory.readByte(status)).isEqualTo(S_IOERR);
        assertThat(file()).isEqualTo(original);
    }

    @Test
    void sectorsPastTheEndAreIoErr() throws Exception {
        BlockRequestHandler h = handler(false, false);
        for (long sector : new long[] {CAPACITY, CAPACITY - 1, Long.MAX_VALUE / 256, -1}) {
            chains.out(blkHeader(BlockRequestHandler.T_IN, sector));
            chains.in(1024);
            long status = chains.in(1);
            assertThat(h.handle(chains.chain())).as("used.len: only the status byte was written").isEqualTo(1);
            assertThat(memory.readByte(status)).as("sector %d", sector).isEqualTo(S_IOERR);
        }
        chains.out(blkHeader(BlockRequestHandler.T_OUT, CAPACITY - 1));
        chains.out(new byte[1024]);
        long status = chains.in(1);
        h.handle(chains.chain());
        assertThat(memory.readByte(status)).isEqualTo(S_IOERR);
        assertThat(file()).isEqualTo(original);
    }

    @Test
    void aFailedReadReportsOnlyTheStatusByteAsWritten() throws Exception {
        BlockRequestHandler h = handler(false, false);
        chains.out(blkHeader(BlockRequestHandler.T_IN, CAPACITY));
        long data = chains.in(512);
        long status = chains.in(1);

        assertThat(h.handle(chains.chain())).isEqualTo(1);
        assertThat(memory.readByte(status)).isEqualTo(S_IOERR);
        assertThat(memory.bytes(data, 512)).as("the data buffer was not touched").containsOnly((byte) 0xEE);
    }

    @Test
    void dataThatIsNotWholeSectorsIsIoErr() throws Exception {
        BlockRequestHandler h = handler(false, false);
        chains.out(blkHeader(BlockRequestHandler.T_IN, 0));
        chains.in(100);
        long status = chains.in(1);
        h.handle(chains.chain());
        assertThat(memory.readByte(status)).isEqualTo(S_IOERR);
    }

    @Test
    void dataBufferOutsideGuestRamIsIoErrNotACrash() throws Exception {
        BlockRequestHandler h = handler(false, false);
        chains.out(blkHeader(BlockRequestHandler.T_IN, 0));
        chains.raw(memory.size() - 256, 512, true);
        long status = chains.in(1);
        assertThat(h.handle(chains.chain())).isEqualTo(1);
        assertThat(memory.readByte(status)).isEqualTo(S_IOERR);
    }

    @Test
    void flushIsOk() throws Exception {
        BlockRequestHandler h = handler(false, false);
        chains.out(blkHeader(BlockRequestHandler.T_FLUSH, 0));
        long status = chains.in(1);
        assertThat(h.handle(chains.chain())).isEqualTo(1);
        assertThat(memory.readByte(status)).isEqualTo(S_OK);
    }

    @Test
    void getIdAnswersTheSerialNulPaddedTo20Bytes() throws Exception {
        BlockRequestHandler h = handler(false, false);
        chains.out(blkHeader(BlockRequestHandler.T_GET_ID, 0));
        long id = chains.in(20);
        long status = chains.in(1);
        assertThat(h.handle(chains.chain())).isEqualTo(21);
        byte[] expected = Arrays.copyOf("serial-1".getBytes(StandardCharsets.US_ASCII), 20);
        assertThat(memory.bytes(id, 20)).isEqualTo(expected);
        assertThat(memory.readByte(status)).isEqualTo(S_OK);
    }

    @Test
    void unknownRequestTypesAreUnsupp() throws Exception {
        BlockRequestHandler h = handler(false, false);
        for (int type : new int[] {2, 10, 14, 0x80000001}) {
            chains.out(blkHeader(type, 0));
            long status = chains.in(1);
            h.handle(chains.chain());
            assertThat(memory.readByte(status)).as("type %d", type).isEqualTo(S_UNSUPP);
        }
    }

    @Test
    void headerShorterThan16BytesIsIoErr() throws Exception {
        BlockRequestHandler h = handler(false, false);
        chains.out(new byte[8]);
        long status = chains.in(1);
        h.handle(chains.chain());
        assertThat(memory.readByte(status)).isEqualTo(S_IOERR);
    }

    @Test
    void aChainWithoutAStatusByteIsRefused() throws Exception {
        BlockRequestHandler h = handler(false, false);
        chains.out(blkHeader(BlockRequestHandler.T_FLUSH, 0));
        DescriptorChain c = chains.chain();
        assertThatThrownBy(() -> h.handle(c)).isInstanceOf(BlockRequestHandler.NoStatusByteException.class);
    }

    @Test
    void writeZeroesZeroesEachRangeWithOrWithoutUnmap() throws Exception {
        BlockRequestHandler h = handler(false, false);
        chains.out(blkHeader(BlockRequestHandler.T_WRITE_ZEROES, 0));
        chains.out(range(8, 8, 0));
        chains.out(range(64, 16, BlockRequestHandler.RANGE_F_UNMAP));
        long status = chains.in(1);
        h.handle(chains.chain());
        assertThat(memory.readByte(status)).isEqualTo(S_OK);

        byte[] expected = original.clone();
        Arrays.fill(expected, 8 * 512, 16 * 512, (byte) 0);
        Arrays.fill(expected, 64 * 512, 80 * 512, (byte) 0);
        byte[] f = file();
        assertThat(f).hasSize(IMAGE_BYTES);
        assertThat(f).isEqualTo(expected);
    }

    @Test
    void discardPunchesAHoleThatReadsBackAsZeroes() throws Exception {
        BlockRequestHandler h = handler(false, false);
        chains.out(blkHeader(BlockRequestHandler.T_DISCARD, 0));
        chains.out(range(256, 256, 0));
        long status = chains.in(1);
        h.handle(chains.chain());
        assertThat(memory.readByte(status)).isEqualTo(S_OK);
        byte[] f = file();
        assertThat(f).hasSize(IMAGE_BYTES);
        assertThat(Arrays.copyOfRange(f, 256 * 512, 512 * 512)).containsOnly(0);
        assertThat(Arrays.copyOfRange(f, 0, 256 * 512)).isEqualTo(Arrays.copyOfRange(original, 0, 256 * 512));
    }

    @Test
    void discardWithTheUnmapFlagOrUnknownFlagsIsUnsupp() throws Exception {
        BlockRequestHandler h = handler(false, false);
        chains.out(blkHeader(BlockRequestHandler.T_DISCARD, 0));
        chains.out(range(0, 8, BlockRequestHandler.RANGE_F_UNMAP));
        long status = chains.in(1);
        h.handle(chains.chain());
        assertThat(memory.readByte(status)).isEqualTo(S_UNSUPP);

        chains.out(blkHeader(BlockRequestHandler.T_WRITE_ZEROES, 0));
        chains.out(range(0, 8, 0x4));
        status = chains.in(1);
        h.handle(chains.chain());
        assertThat(memory.readByte(status)).isEqualTo(S_UNSUPP);
        assertThat(file()).isEqualTo(original);
    }

    @Test
    void tooManyRangesOrARangePastTheEndIsIoErr() throws Exception {
        BlockRequestHandler h = handler(false, false);
        chains.out(blkHeader(BlockRequestHandler.T_WRITE_ZEROES, 0));
        for (int i = 0; i < 5; i++) {
            chains.out(range(i * 8, 8, 0));
        }
        long status = chains.in(1);
        h.handle(chains.chain());
        assertThat(memory.readByte(status)).isEqualTo(S_IOERR);

        chains.out(blkHeader(BlockRequestHandler.T_DISCARD, 0));
        chains.out(range(CAPACITY - 4, 8, 0));
        status = chains.in(1);
        h.handle(chains.chain());
        assertThat(memory.readByte(status)).isEqualTo(S_IOERR);
        assertThat(file()).isEqualTo(original);
    }

    @Test
    void directIoReadsAndWritesAlignedAndUnalignedBuffers() throws Exception {
        BlockRequestHandler h = handler(false, true);
        assertThat(image.direct()).isTrue();
        chains = new Chains(memory, 0x10000, 4096);
        // Aligned: the O_DIRECT descriptor.
        byte[] data = new byte[8192];
        new Random(7).nextBytes(data);
        chains.out(blkHeader(BlockRequestHandler.T_OUT, 16));
        chains.out(data);
        long status = chains.in(1);
        h.handle(chains.chain());
        assertThat(memory.readByte(status)).isEqualTo(S_OK);
        // Unaligned guest buffer: falls back to the buffered descriptor.
        Chains odd = new Chains(memory, 0x30003, 1);
        odd.out(blkHeader(BlockRequestHandler.T_IN, 16));
        long buf = odd.in(8192);
        long st2 = odd.in(1);
        h.handle(odd.chain());
        assertThat(memory.readByte(st2)).isEqualTo(S_OK);
        assertThat(memory.bytes(buf, 8192)).isEqualTo(data);
        assertThat(Arrays.copyOfRange(file(), 16 * 512, 16 * 512 + 8192)).isEqualTo(data);
    }
}
