package io.jvmm.benchmarks;

import io.jvmm.spi.GuestMemory;
import io.jvmm.testkit.DriverRing;
import io.jvmm.testkit.TestEventFd;
import io.jvmm.virtio.queue.QueueState;
import io.jvmm.virtio.queue.SplitQueue;

/** One split queue at guest address 0, both sides: the test kit's driver and jvmm's device queue. */
public final class Rings {
    public static final int QUEUE_SIZE = 256;
    /** Guest RAM from here on holds the buffers; the rings of a 256-entry queue take under 8 KiB. */
    public static final long BUFFERS = 0x10000;

    public final DriverRing driver;
    public final SplitQueue device;

    /** {@code eventIdx}: VIRTIO_F_EVENT_IDX negotiated, as Linux does whenever a device offers it. */
    public Rings(GuestMemory memory, boolean eventIdx, boolean indirect) {
        driver = DriverRing.at(memory, QUEUE_SIZE, 0);
        QueueState state = new QueueState(QUEUE_SIZE, true, driver.descTable(), driver.availRing(),
                driver.usedRing(), 0, 0);
        device = SplitQueue.open(0, state, QUEUE_SIZE, 0, memory, eventIdx, indirect, new TestEventFd(), () -> { },
                reason -> {
                    throw new IllegalStateException("malformed ring: " + reason);
                });
    }

    /** Takes every used element off the ring (freeing its descriptors); returns how many. */
    public int reap() {
        int n = 0;
        while (driver.pollUsed() != null) {
            n++;
        }
        return n;
    }
}
