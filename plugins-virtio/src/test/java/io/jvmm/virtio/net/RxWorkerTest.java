package io.jvmm.virtio.net;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.jvmm.testkit.DriverRing;
import io.jvmm.testkit.DriverRing.Buf;
import io.jvmm.virtio.block.TestMemory;
import io.jvmm.virtio.queue.QueueState;
import io.jvmm.virtio.testutil.SyncActivation;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link RxWorker} against a well-formed ring: every frame lands whole, in order, in the buffers
 * the device returns, with num_buffers and flags as 5.1.6.4 says, and no byte of guest memory
 * outside those buffers' used lengths changes (a guard pattern fills the rest: the gaps between
 * buffers and the buffers still held).
 */
class RxWorkerTest {
    private static final int QUEUE = 64;
    private static final long BUFFERS = 0x10000;
    private static final int BUFFER = 1536;
    private static final int STRIDE = 2048;
    private static final int POSTED = 60;
    private static final byte GUARD = (byte) 0xA5;

    private interface Sockets extends Library {
        Sockets C = Native.load("c", Sockets.class);

        int socketpair(int domain, int type, int protocol, int[] fds);

        long write(int fd, byte[] buf, long count);

        int close(int fd);

        int ioctl(int fd, long request, int[] arg);
    }

    private static final long FIONREAD = 0x541B;

    private static Tap tapOn(int fd) throws ReflectiveOperationException {
        Constructor<Tap> c = Tap.class.getDeclaredConstructor(String.class, int.class, boolean.class);
        c.setAccessible(true);
        return c.newInstance("rx-pair", fd, false);
    }

    /** A frame as the tap hands it over: a header whose flags and num_buffers hold junk, then numbered bytes. */
    private static byte[] frame(int payload, int seed) {
        byte[] f = new byte[NetHeader.SIZE + payload];
        f[0] = 2; // DATA_VALID, as a tap may set it
        f[NetHeader.NUM_BUFFERS_OFFSET] = (byte) 0xEE;
        f[NetHeader.NUM_BUFFERS_OFFSET + 1] = (byte) 0xEE;
        for (int i = NetHeader.SIZE; i < f.length; i++) {
            f[i] = (byte) (seed * 31 + i);
        }
        return f;
    }

    @Test
    void framesLandWholeInTheBuffersReturnedAndNothingElseIsWritten() throws Exception {
        for (boolean guestCsum : new boolean[] {false, true}) {
            receiveAndCheck(guestCsum);
        }
    }

    private void receiveAndCheck(boolean guestCsum) throws Exception {
        TestMemory memory = guardedMemory();
        DriverRing ring = new DriverRing(memory, QUEUE, 0x0, 0x1000, 0x2000);
        Map<Integer, Long> addressOf = new HashMap<>();
        post(ring, addressOf, 0, POSTED);
        // A TCP ACK, an MTU frame, one over two buffers, and a 64 KiB GSO frame over 43.
        List<byte[]> frames = List.of(frame(54, 1), frame(1514, 2), frame(2000, 3), frame(65000, 4), frame(60, 5));
        long features = 1L << NetFeatures.MRG_RXBUF | 1L << NetFeatures.GUEST_TSO4
                | (guestCsum ? 1L << NetFeatures.GUEST_CSUM : 0);

        int[] pair = new int[2];
        assertThat(Sockets.C.socketpair(1 /* AF_UNIX */, 5 /* SOCK_SEQPACKET */ | 04000 /* SOCK_NONBLOCK */, 0, pair)).isZero();
        try (Tap tap = tapOn(pair[0])) {
            try {
                for (byte[] f : frames) {
                    assertThat(Sockets.C.write(pair[1], f, f.length)).isEqualTo(f.length);
                }
            } finally {
                Sockets.C.close(pair[1]);
            }
            SyncActivation activation = new SyncActivation(features, memory,
                    List.of(new QueueState(QUEUE, true, 0x0, 0x1000, 0x2000, 0, 0)));
            new RxWorker(tap, activation.queue(0), features, 1500).run();
            assertThat(activation.malformed).isEmpty();
        }

        assertLandedWhole(ring, memory, addressOf, frames, guestCsum);
    }

    /**
     * A frame bigger than the buffers the driver has posted waits in the worker until the driver
     * posts more, and then lands whole: it is not dropped. The driver posts 10 buffers (15 KiB),
     * the tap holds a 64 KiB GSO frame; once the worker has read it, 40 more are posted and the
     * queue kicked.
     */
    @Test
    void aFrameLargerThanThePostedBuffersWaitsForMoreInsteadOfBeingDropped() throws Exception {
        TestMemory memory = guardedMemory();
        DriverRing ring = new DriverRing(memory, QUEUE, 0x0, 0x1000, 0x2000);
        Map<Integer, Long> addressOf = new HashMap<>();
        int first = 10;
        post(ring, addressOf, 0, first);
        List<byte[]> frames = List.of(frame(65000, 7));
        long features = 1L << NetFeatures.MRG_RXBUF | 1L << NetFeatures.GUEST_TSO4;
        int[] pair = new int[2];
        assertThat(Sockets.C.socketpair(1 /* AF_UNIX */, 5 /* SOCK_SEQPACKET */ | 04000 /* SOCK_NONBLOCK */, 0, pair)).isZero();
        try (Tap tap = tapOn(pair[0])) {
            SyncActivation activation = new SyncActivation(features, memory,
                    List.of(new QueueState(QUEUE, true, 0x0, 0x1000, 0x2000, 0, 0)));
            Thread worker = new Thread(new RxWorker(tap, activation.queue(0), features, 1500), "rx-worker");
            try {
                assertThat(Sockets.C.write(pair[1], frames.get(0), frames.get(0).length)).isEqualTo(frames.get(0).length);
                worker.start();
                // The worker has read the frame when the socket holds nothing more for it.
                int[] queued = {-1};
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (Sockets.C.ioctl(pair[0], FIONREAD, queued) == 0 && queued[0] != 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(queued[0]).as("bytes the worker left in the tap").isZero();
                assertThat(ring.pollUsed()).as("a used buffer before the frame could fit").isNull();
                post(ring, addressOf, first, POSTED);
                activation.queue(0).notifier().write(1);
            } finally {
                Sockets.C.close(pair[1]); // end of file: the worker runs out of looks and stops
            }
            worker.join(10_000);
            assertThat(worker.isAlive()).as("worker still running").isFalse();
            assertThat(activation.malformed).isEmpty();
        }
        assertLandedWhole(ring, memory, addressOf, frames, false);
    }

    /** Guest memory whose buffer area holds {@link #GUARD} everywhere. */
    private static TestMemory guardedMemory() {
        TestMemory memory = new TestMemory(1 << 20);
        byte[] guard = new byte[POSTED * STRIDE];
        Arrays.fill(guard, GUARD);
        memory.write(BUFFERS, guard);
        return memory;
    }

    /** Posts buffers {@code from} to {@code to} (exclusive), one writable 1536-byte buffer each. */
    private static void post(DriverRing ring, Map<Integer, Long> addressOf, int from, int to) {
        for (int i = from; i < to; i++) {
            long at = BUFFERS + (long) i * STRIDE;
            addressOf.put(ring.add(List.of(new Buf(at, BUFFER, true))), at);
        }
    }

    /**
     * Every frame, in order, in the used buffers; num_buffers and flags per 5.1.6.4; no byte
     * outside the used lengths changed from {@link #GUARD}.
     */
    private static void assertLandedWhole(DriverRing ring, TestMemory memory, Map<Integer, Long> addressOf,
            List<byte[]> frames, boolean guestCsum) {
        List<DriverRing.Used> used = new ArrayList<>();
        DriverRing.Used u;
        while ((u = ring.pollUsed()) != null) {
            used.add(u);
        }
        byte[] after = new byte[POSTED * STRIDE];
        memory.read(BUFFERS, after);
        boolean[] written = new boolean[after.length];
        int next = 0;
        for (int k = 0; k < frames.size(); k++) {
            byte[] sent = frames.get(k);
            byte[] got = new byte[sent.length];
            int filled = 0;
            int first = next;
            while (filled < sent.length) {
                assertThat(next).as("frame %d ran out of used buffers", k).isLessThan(used.size());
                DriverRing.Used b = used.get(next++);
                int offset = (int) (addressOf.get(b.id()) - BUFFERS);
                assertThat(b.length()).as("frame %d buffer length", k).isBetween(1, BUFFER);
                System.arraycopy(after, offset, got, filled, b.length());
                Arrays.fill(written, offset, offset + b.length(), true);
                filled += b.length();
            }
            assertThat(filled).as("frame %d length", k).isEqualTo(sent.length);
            int buffers = next - first;
            assertThat((got[NetHeader.NUM_BUFFERS_OFFSET] & 0xff) | (got[NetHeader.NUM_BUFFERS_OFFSET + 1] & 0xff) << 8)
                    .as("frame %d num_buffers", k).isEqualTo(buffers);
            assertThat(got[0]).as("frame %d flags", k).isEqualTo(guestCsum ? sent[0] : 0);
            assertThat(Arrays.copyOfRange(got, 1, NetHeader.NUM_BUFFERS_OFFSET))
                    .isEqualTo(Arrays.copyOfRange(sent, 1, NetHeader.NUM_BUFFERS_OFFSET));
            assertThat(Arrays.copyOfRange(got, NetHeader.SIZE, got.length)).as("frame %d payload", k)
                    .isEqualTo(Arrays.copyOfRange(sent, NetHeader.SIZE, sent.length));
        }
        assertThat(next).as("buffers used beyond the frames'").isEqualTo(used.size());
        for (int i = 0; i < after.length; i++) {
            if (!written[i]) {
                assertThat(after[i]).as("guest byte 0x%x, outside every used buffer", BUFFERS + i).isEqualTo(GUARD);
            }
        }
    }
}
