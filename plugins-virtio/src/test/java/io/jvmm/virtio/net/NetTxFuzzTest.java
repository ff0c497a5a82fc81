package io.jvmm.virtio.net;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jvmm.virtio.block.TestMemory;
import io.jvmm.testkit.FuzzBytes;
import io.jvmm.virtio.testutil.FuzzRings;
import io.jvmm.virtio.testutil.SyncActivation;
import java.lang.reflect.Constructor;
import java.util.List;

/**
 * virtio-net's transmit path (virtio 1.2, 5.1.6.2): whatever chains the driver offers on the
 * transmit queue, {@link TxWorker} gathers header and frame into an iovec and writes it to the
 * tap, or drops it (too short for the header, too many pieces), and uses every chain. The tap
 * here is /dev/null opened as one, which takes every write. An exception is a bug.
 *
 * <p>Input: u8 flags (1 EVENT_IDX, 2 INDIRECT_DESC); the transmit queue and the buffers as
 * {@link FuzzRings} reads them. The receive path is {@link NetRxFuzzTest}.
 */
class NetTxFuzzTest {
    private static final Tap TAP = devNullTap();
    /** Direct memory, as the VMM's is: the frame goes to writev(2). One per JVM. */
    private static final TestMemory MEMORY = new TestMemory(FuzzRings.RAM);

    private static Tap devNullTap() {
        try {
            int fd = LibC.open("/dev/null", LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
            Constructor<Tap> c = Tap.class.getDeclaredConstructor(String.class, int.class, boolean.class);
            c.setAccessible(true);
            return c.newInstance("fuzz-null", fd, false);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @FuzzTest
    void transmit(FuzzedDataProvider data) {
        FuzzBytes in = new FuzzBytes(data.consumeRemainingAsBytes());
        int flags = in.u8();
        MEMORY.write(0, new byte[FuzzRings.RAM], 0, FuzzRings.RAM);
        var tx = FuzzRings.ring(in, MEMORY, 0, 256);
        FuzzRings.buffers(in, MEMORY);
        SyncActivation activation = new SyncActivation(FuzzRings.ringFeatures(flags), MEMORY, List.of(tx));
        new TxWorker(TAP, activation.queue(0)).run();
    }
}
