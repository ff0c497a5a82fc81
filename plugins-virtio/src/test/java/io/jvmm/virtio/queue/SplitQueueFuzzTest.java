package io.jvmm.virtio.queue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jvmm.virtio.ChainReader;
import io.jvmm.virtio.ChainWriter;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.testkit.ByteArrayGuestMemory;
import io.jvmm.testkit.FuzzBytes;
import io.jvmm.testkit.TestEventFd;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A hostile driver against the split ring: the descriptor table, the available ring and the
 * buffers are fuzz bytes in 64 KiB of guest RAM, and the device pops, reads, writes, completes
 * (in order or not), signals and snapshots in an order the fuzzer picks while the "driver" keeps
 * scribbling over the rings. A malformed ring must only stop the queue (virtio 1.2, 2.1.2):
 * any exception or error out of {@link SplitQueue} or a parsed chain is a bug.
 */
class SplitQueueFuzzTest {
    static final int RAM = 64 << 10;
    static final int MAX_SIZE = 256;
    /** The usual layout; the fuzzer may pick any other addresses, which {@link QueueState#problem} judges. */
    static final long DESC = 0, AVAIL = 0x1000, USED = 0x2000, BUFFERS = 0x3000;

    /**
     * Input, front to back (see {@link FuzzBytes}; seeds in SplitQueueFuzzTestInputs/chains/):
     * u8 log2 of the queue size; u8 flags (1 EVENT_IDX, 2 INDIRECT_DESC, 4 ring addresses from
     * the input); the addresses (3 x u64) when flag 4, u16 next_avail and u16 next_used; the
     * descriptor table; the available ring; u16 n and n bytes of buffers at {@link #BUFFERS};
     * then the device's steps, one u8 each (see {@link Device#run}).
     */
    @FuzzTest
    void chains(FuzzedDataProvider data) {
        FuzzBytes in = new FuzzBytes(data.consumeRemainingAsBytes());
        ByteArrayGuestMemory memory = new ByteArrayGuestMemory(RAM);
        int size = 1 << (in.u8() % 9);
        int flags = in.u8();
        long desc = DESC, avail = AVAIL, used = USED;
        if ((flags & 4) != 0) {
            desc = in.u64();
            avail = in.u64();
            used = in.u64();
        }
        QueueState state = new QueueState(size, true, desc, avail, used, in.u16(), in.u16());
        if (state.problem(MAX_SIZE, memory) != null) {
            return;
        }
        fill(memory, state.descTable(), in.bytes((int) QueueState.descTableBytes(size)));
        fill(memory, state.availRing(), in.bytes((int) QueueState.availRingBytes(size)));
        fill(memory, BUFFERS, in.bytes(in.u16()));
        new Device(memory, state, (flags & 1) != 0, (flags & 2) != 0).run(in);
    }

    private static void fill(ByteArrayGuestMemory memory, long at, byte[] bytes) {
        int n = (int) Math.min(bytes.length, RAM - at);
        memory.write(at, bytes, 0, n);
    }

    /** The device's side, in an order the fuzzer picks. */
    private static final class Device {
        private final ByteArrayGuestMemory memory;
        private final boolean eventIdx;
        private final boolean indirect;
        private final Deque<DescriptorChain> taken = new ArrayDeque<>();
        private final byte[] scratch = new byte[4096];
        private SplitQueue queue;

        Device(ByteArrayGuestMemory memory, QueueState state, boolean eventIdx, boolean indirect) {
            this.memory = memory;
            this.eventIdx = eventIdx;
            this.indirect = indirect;
            this.queue = queue(state, state.nextUsed());
        }

        private SplitQueue queue(QueueState state, int signalledUsed) {
            return SplitQueue.open(0, state, MAX_SIZE, signalledUsed, memory, eventIdx, indirect, new TestEventFd(), () -> { },
                    reason -> { });
        }

        /**
         * Steps: 0 pop a chain (read it all, fill its writable part), 1 complete the oldest
         * chain taken, 2 the newest (out of order), each with a u32 length; 3 signal; 4 the
         * driver writes u16 at u16 offset; 5 snapshot and restore; 6 pop every chain there is.
         */
        void run(FuzzBytes in) {
            for (int step = 0; step < 64 && in.remaining() > 0; step++) {
                switch (in.u8() % 7) {
                    case 0 -> pop();
                    case 1 -> complete(in, taken.pollFirst());
                    case 2 -> complete(in, taken.pollLast());
                    case 3 -> queue.signalUsed();
                    case 4 -> memory.writeShort(in.u16() & ~1, (short) in.u16());
                    case 5 -> restore();
                    default -> {
                        while (pop()) {
                            // until the ring is empty or the queue stopped
                        }
                    }
                }
            }
        }

        private boolean pop() {
            DescriptorChain chain = queue.pop();
            if (chain == null) {
                return false;
            }
            ChainReader r = chain.reader();
            while (r.remaining() > 0) {
                r.read(scratch, 0, Math.min(r.remaining(), scratch.length));
            }
            if (chain.writableBytes() > 0) {
                ChainWriter w = chain.writer();
                w.write(scratch, 0, (int) Math.min(chain.writableBytes(), scratch.length));
            }
            taken.addLast(chain);
            return true;
        }

        private void complete(FuzzBytes in, DescriptorChain chain) {
            if (chain != null) {
                queue.addUsed(chain, in.u32());
            }
        }

        /** Snapshot and restore: the saved state is validated again, as a restore does. */
        private void restore() {
            QueueState saved = queue.state();
            int signalled = queue.signalledUsed();
            queue.stop();
            taken.clear();
            if (saved.problem(MAX_SIZE, memory) != null) {
                throw new AssertionError("a running queue saved a state that does not validate: " + saved);
            }
            queue = queue(saved, signalled);
        }
    }
}
