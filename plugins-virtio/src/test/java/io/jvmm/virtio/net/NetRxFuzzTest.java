package io.jvmm.virtio.net;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.sun.jna.Library;
import com.sun.jna.Native;
import io.jvmm.testkit.FuzzBytes;
import io.jvmm.virtio.block.TestMemory;
import io.jvmm.virtio.testutil.FuzzRings;
import io.jvmm.virtio.testutil.SyncActivation;
import java.lang.reflect.Constructor;
import java.util.List;

/**
 * virtio-net's receive path (virtio 1.2, 5.1.6.3-4): {@link RxWorker} takes the chains the
 * driver offers on the receive queue, reads frames from the tap into them (mergeable or not,
 * with or without GUEST_CSUM) and returns them with num_buffers written, or drops frames that do
 * not fit. The "tap" is one end of a SOCK_SEQPACKET socket pair, which keeps frame boundaries as a
 * tap does; the test writes the frames into the other end and closes it, so the worker reads
 * them, then end-of-file, and stops after its queue's last look. An exception is a bug.
 *
 * <p>Input: u8 flags (1 EVENT_IDX, 2 INDIRECT_DESC, 4 MRG_RXBUF, 8 GUEST_CSUM), u16 MTU, the
 * receive queue and buffers as {@link FuzzRings} reads them, then up to 8 frames, each u16
 * length and its bytes (virtio-net header first, as a tap with IFF_VNET_HDR delivers). The seeds
 * are inputs a first fuzz run found to reach new code.
 */
class NetRxFuzzTest {
    /** Direct memory, as the VMM's is: frames arrive by readv(2). One per JVM. */
    private static final TestMemory MEMORY = new TestMemory(FuzzRings.RAM);
    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_NONBLOCK = 04000;

    private interface Sockets extends Library {
        Sockets C = Native.load("c", Sockets.class);

        int socketpair(int domain, int type, int protocol, int[] fds);

        long write(int fd, byte[] buf, long count);

        int close(int fd);
    }

    private static Tap tapOn(int fd) {
        try {
            Constructor<Tap> c = Tap.class.getDeclaredConstructor(String.class, int.class, boolean.class);
            c.setAccessible(true);
            return c.newInstance("fuzz-pair", fd, false);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @FuzzTest
    void receive(FuzzedDataProvider data) {
        FuzzBytes in = new FuzzBytes(data.consumeRemainingAsBytes());
        int flags = in.u8();
        int mtu = 68 + in.u16() % (65535 - 68);
        MEMORY.write(0, new byte[FuzzRings.RAM], 0, FuzzRings.RAM);
        var rx = FuzzRings.ring(in, MEMORY, 0, 256);
        FuzzRings.buffers(in, MEMORY);
        long features = FuzzRings.ringFeatures(flags)
                | ((flags & 4) != 0 ? 1L << NetFeatures.MRG_RXBUF : 0)
                | ((flags & 8) != 0 ? 1L << NetFeatures.GUEST_CSUM : 0);
        int[] pair = new int[2];
        if (Sockets.C.socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, pair) != 0) {
            throw new AssertionError("socketpair failed");
        }
        try (Tap tap = tapOn(pair[0])) {
            try {
                for (int i = 0; i < 8 && in.remaining() > 0; i++) {
                    byte[] frame = in.bytes(1 + in.u16() % 9000);
                    Sockets.C.write(pair[1], frame, frame.length); // a full socket buffer drops it, as a tap would
                }
            } finally {
                Sockets.C.close(pair[1]);
            }
            SyncActivation activation = new SyncActivation(features, MEMORY, List.of(rx));
            new RxWorker(tap, activation.queue(0), features, mtu).run();
        }
    }
}
