package io.jvmm.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.jvmm.spi.GuestMemoryException;
import io.jvmm.spi.RamRegion;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GuestRam over malloc'd memory with 4 KiB windows, so that accesses inside a window, across
 * two windows of one region and across two regions are all reached with small RAM. Every
 * value is checked against the host memory's own bytes, not only read back through GuestRam.
 */
class GuestRamTest {
    private static final int WINDOW = 4096;
    // Region A: guest [0x10000, 0x12800): two whole windows and a half. Region B follows it directly.
    private static final long A = 0x10000;
    private static final long A_SIZE = 2 * WINDOW + WINDOW / 2;
    private static final long B = A + A_SIZE;
    private static final long B_SIZE = WINDOW;

    private final Memory hostA = zeroed(A_SIZE);
    private final Memory hostB = zeroed(B_SIZE);
    private final GuestRam ram = new GuestRam(List.of(
            new RamRegion(B, B_SIZE, Pointer.nativeValue(hostB)),
            new RamRegion(A, A_SIZE, Pointer.nativeValue(hostA))), 12);

    private static Memory zeroed(long size) {
        Memory m = new Memory(size);
        m.clear();
        return m;
    }

    @Test
    void scalarsAreLittleEndianAtTheirHostBytes() {
        ram.writeInt(A + 100, 0x11223344);
        assertThat(hostA.getByte(100)).isEqualTo((byte) 0x44);
        assertThat(hostA.getByte(103)).isEqualTo((byte) 0x11);
        ram.writeLong(B + 8, 0x0102030405060708L);
        assertThat(hostB.getByte(8)).isEqualTo((byte) 0x08);
        assertThat(ram.readLong(B + 8)).isEqualTo(0x0102030405060708L);
        ram.writeShort(A + WINDOW + 2, (short) 0xbeef);
        assertThat(ram.readShort(A + WINDOW + 2)).isEqualTo((short) 0xbeef);
        ram.writeByte(A + A_SIZE - 1, (byte) 7);
        assertThat(hostA.getByte(A_SIZE - 1)).isEqualTo((byte) 7);
    }

    @Test
    void scalarsThatStraddleTwoWindowsOrTwoRegions() {
        long acrossWindows = A + WINDOW - 3;
        ram.writeLong(acrossWindows, 0x8877665544332211L);
        assertThat(hostA.getLong(WINDOW - 3)).isEqualTo(0x8877665544332211L);
        assertThat(ram.readLong(acrossWindows)).isEqualTo(0x8877665544332211L);
        ram.writeInt(A + 2 * WINDOW - 1, 0xcafebabe);
        assertThat(ram.readInt(A + 2 * WINDOW - 1)).isEqualTo(0xcafebabe);

        long acrossRegions = B - 2;
        ram.writeInt(acrossRegions, 0xa1b2c3d4);
        assertThat(hostA.getByte(A_SIZE - 2)).isEqualTo((byte) 0xd4);
        assertThat(hostA.getByte(A_SIZE - 1)).isEqualTo((byte) 0xc3);
        assertThat(hostB.getByte(0)).isEqualTo((byte) 0xb2);
        assertThat(hostB.getByte(1)).isEqualTo((byte) 0xa1);
        assertThat(ram.readInt(acrossRegions)).isEqualTo(0xa1b2c3d4);
        ram.writeShort(B - 1, (short) 0x1234);
        assertThat(ram.readShort(B - 1)).isEqualTo((short) 0x1234);
    }

    @Test
    void bulkCopiesSpanWindowsAndRegions() {
        byte[] src = new byte[(int) (A_SIZE + 100)];
        for (int i = 0; i < src.length; i++) {
            src[i] = (byte) (i * 7 + 3);
        }
        ram.write(A, src);
        assertThat(hostA.getByteArray(0, (int) A_SIZE)).isEqualTo(java.util.Arrays.copyOf(src, (int) A_SIZE));
        assertThat(hostB.getByteArray(0, 100)).isEqualTo(java.util.Arrays.copyOfRange(src, (int) A_SIZE, src.length));
        byte[] back = new byte[src.length + 10];
        ram.read(A, back, 5, src.length);
        assertThat(java.util.Arrays.copyOfRange(back, 5, 5 + src.length)).isEqualTo(src);
    }

    @Test
    void rangesOutsideRamThrowAndTouchNothing() {
        hostB.setByte(B_SIZE - 1, (byte) 9);
        assertThatThrownBy(() -> ram.writeShort(B + B_SIZE - 1, (short) -1)).isInstanceOf(GuestMemoryException.class);
        assertThat(hostB.getByte(B_SIZE - 1)).isEqualTo((byte) 9);
        assertThatThrownBy(() -> ram.write(B + B_SIZE - 4, new byte[8])).isInstanceOf(GuestMemoryException.class);
        assertThat(hostB.getByte(B_SIZE - 1)).isEqualTo((byte) 9);
        assertThatThrownBy(() -> ram.readByte(A - 1)).isInstanceOf(GuestMemoryException.class);
        assertThatThrownBy(() -> ram.readLong(Long.MAX_VALUE - 3)).isInstanceOf(GuestMemoryException.class);
        assertThatThrownBy(() -> ram.read(-8, new byte[4], 0, 4)).isInstanceOf(GuestMemoryException.class);
        assertThat(ram.isValid(A, A_SIZE + B_SIZE)).isTrue();
        assertThat(ram.isValid(A, A_SIZE + B_SIZE + 1)).isFalse();
        assertThat(ram.size()).isEqualTo(A_SIZE + B_SIZE);
    }

    @Test
    void slicesAreViewsOfTheHostBytes() {
        ByteBuffer inWindow = ram.slice(A + 16, 64);
        assertThat(inWindow.isDirect()).isTrue();
        assertThat(inWindow.remaining()).isEqualTo(64);
        inWindow.putInt(0, 0x01020304);
        assertThat(hostA.getInt(16)).isEqualTo(0x01020304);
        assertThat(hostA.getByte(16)).isEqualTo((byte) 0x04);

        ByteBuffer acrossWindows = ram.slice(A + WINDOW - 8, 16);
        acrossWindows.putLong(4, -2L);
        assertThat(hostA.getLong(WINDOW - 4)).isEqualTo(-2L);

        assertThatThrownBy(() -> ram.slice(B - 8, 16)).isInstanceOf(GuestMemoryException.class)
                .hasMessageContaining("one RAM region");
        assertThatThrownBy(() -> ram.slice(A, -1)).isInstanceOf(GuestMemoryException.class);
        assertThatThrownBy(() -> ram.slice(B + B_SIZE, 1)).isInstanceOf(GuestMemoryException.class);
    }

    /**
     * Device workers, vCPU threads and the snapshot writer use one GuestRam at once. Four threads,
     * each on its own quarter of RAM (scalars in and across windows, slices, bulk copies), find
     * exactly their own bytes every time: no access moves a shared window's position or limit.
     */
    @Test
    void threadsOnTheirOwnRangesNeverSeeEachOthersBytes() throws Exception {
        Memory host = zeroed(16 * WINDOW);
        GuestRam shared = new GuestRam(List.of(new RamRegion(0, 16 * WINDOW, Pointer.nativeValue(host))), 12);
        int threads = 4;
        long quarter = 4L * WINDOW;
        List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) {
                long base = t * quarter;
                byte tag = (byte) (t + 1);
                done.add(pool.submit(() -> {
                    byte[] page = new byte[WINDOW - 64];
                    for (int round = 0; round < 20_000; round++) {
                        long at = base + 3 * WINDOW - 32 + round % 57; // in, and across, a window's end
                        long value = (long) tag << 56 | round;
                        shared.writeLong(at, value); // may straddle a window
                        assertThat(shared.readLong(at)).isEqualTo(value);
                        ByteBuffer view = shared.slice(base + WINDOW - 100, 200); // across a window
                        view.put(0, tag);
                        view.put(199, tag);
                        assertThat(shared.readByte(base + WINDOW - 100)).isEqualTo(tag);
                        assertThat(shared.readByte(base + WINDOW + 99)).isEqualTo(tag);
                        if (round % 1000 == 0) {
                            java.util.Arrays.fill(page, tag);
                            shared.write(base + 2 * WINDOW, page);
                            byte[] back = new byte[page.length];
                            shared.read(base + 2 * WINDOW, back);
                            assertThat(back).containsOnly(tag);
                        }
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int t = 0; t < threads; t++) {
            assertThat(host.getByte(t * quarter + WINDOW - 100)).isEqualTo((byte) (t + 1));
            assertThat(host.getByteArray(t * quarter + 2 * WINDOW, WINDOW - 64)).containsOnly((byte) (t + 1));
        }
    }
}
