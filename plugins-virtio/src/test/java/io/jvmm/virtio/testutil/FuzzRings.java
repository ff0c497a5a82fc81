package io.jvmm.virtio.testutil;

import io.jvmm.testkit.FuzzBytes;

import io.jvmm.spi.GuestMemory;
import io.jvmm.virtio.VirtioFeatures;
import io.jvmm.virtio.queue.QueueState;

/**
 * Split rings a fuzz input fills, in 64 KiB of guest RAM, for the device targets: queue
 * {@code i} has its descriptor table at {@code 0x3000 * i}, its available ring 0x1000 above,
 * its used ring 0x2000 above; buffers (and indirect tables) go at {@link #BUFFERS}.
 */
public final class FuzzRings {
    public static final int RAM = 64 << 10;
    public static final long BUFFERS = 0x8000;
    /** Queues that fit below {@link #BUFFERS}. */
    public static final int MAX_QUEUES = 2;

    private FuzzRings() {
    }

    /**
     * Queue {@code index} from the input: u8 log2 of the size (capped at {@code maxSize}), then
     * its descriptor table and available ring (flags, idx, ring, used_event), each as long as
     * the size makes it. The state validates (virtio 1.2, 2.7).
     */
    public static QueueState ring(FuzzBytes in, GuestMemory memory, int index, int maxSize) {
        if (index >= MAX_QUEUES) {
            throw new IllegalArgumentException("queue " + index);
        }
        int size = Math.min(1 << (in.u8() % 9), maxSize);
        long desc = 0x3000L * index;
        QueueState state = new QueueState(size, true, desc, desc + 0x1000, desc + 0x2000, 0, 0);
        if (state.problem(maxSize, memory) != null) {
            throw new AssertionError(state.problem(maxSize, memory));
        }
        fill(memory, desc, in.bytes((int) QueueState.descTableBytes(size)));
        fill(memory, state.availRing(), in.bytes((int) QueueState.availRingBytes(size)));
        return state;
    }

    /** The ring features a fuzz input's flags byte asks for: bit 0 EVENT_IDX, bit 1 INDIRECT_DESC. */
    public static long ringFeatures(int flags) {
        return ((flags & 1) != 0 ? 1L << VirtioFeatures.RING_EVENT_IDX : 0)
                | ((flags & 2) != 0 ? 1L << VirtioFeatures.RING_INDIRECT_DESC : 0);
    }

    /** u16 n, then n bytes of buffers at {@link #BUFFERS}. */
    public static void buffers(FuzzBytes in, GuestMemory memory) {
        fill(memory, BUFFERS, in.bytes(in.u16()));
    }

    private static void fill(GuestMemory memory, long at, byte[] bytes) {
        memory.write(at, bytes, 0, (int) Math.min(bytes.length, RAM - at));
    }
}
