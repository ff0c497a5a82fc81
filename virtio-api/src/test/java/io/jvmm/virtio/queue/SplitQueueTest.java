package io.jvmm.virtio.queue;

import io.jvmm.virtio.ChainReader;
import io.jvmm.virtio.ChainWriter;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.testkit.ByteArrayGuestMemory;
import io.jvmm.testkit.DriverRing;
import io.jvmm.testkit.DriverRing.Buf;
import io.jvmm.testkit.TestEventFd;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SplitQueueTest {
    private static final int SIZE = 8;
    private static final long RINGS = 0x1000;
    private static final long DATA = 0x8000;

    private final ByteArrayGuestMemory memory = new ByteArrayGuestMemory(0x10_0000);
    private final TestEventFd notifier = new TestEventFd();
    private final AtomicInteger interrupts = new AtomicInteger();
    private final List<String> malformed = new ArrayList<>();
    private DriverRing driver;

    @BeforeEach
    void rings() {
        driver = DriverRing.at(memory, SIZE, RINGS);
    }

    private SplitQueue queue(boolean eventIdx, boolean indirect) {
        QueueState state = new QueueState(SIZE, true, driver.descTable(), driver.availRing(), driver.usedRing(), 0, 0);
        return SplitQueue.open(0, state, SIZE, 0, memory, eventIdx, indirect, notifier, interrupts::incrementAndGet,
                malformed::add);
    }

    @Test
    void popsAChainWithReadableThenWritableBuffersAndReadsAcrossThem() {
        SplitQueue q = queue(false, false);
        memory.write(DATA, new byte[] {1, 2, 3});
        memory.write(DATA + 0x100, new byte[] {4, 5, 6, 7, 8});
        int head = driver.add(List.of(new Buf(DATA, 3, false), new Buf(DATA + 0x100, 5, false),
                new Buf(DATA + 0x200, 4, true), new Buf(DATA + 0x300, 4, true)));

        DescriptorChain chain = q.pop();

        assertThat(chain.head()).isEqualTo(head);
        assertThat(chain.readableBytes()).isEqualTo(8);
        assertThat(chain.writableBytes()).isEqualTo(8);
        ChainReader r = chain.reader();
        assertThat(r.readShort()).isEqualTo((short) 0x0201);
        assertThat(r.readInt()).isEqualTo(0x06050403);
        assertThat(r.remaining()).isEqualTo(2);
        ChainWriter w = chain.writer();
        w.writeLong(0x1122334455667788L);
        assertThat(memory.readInt(DATA + 0x200)).isEqualTo(0x55667788);
        assertThat(memory.readInt(DATA + 0x300)).isEqualTo(0x11223344);
        assertThat(q.pop()).isNull();
    }

    @Test
    void flattensAnIndirectTable() {
        SplitQueue q = queue(false, true);
        int head = driver.addIndirect(List.of(new Buf(DATA, 16, false), new Buf(DATA + 0x100, 32, true)), 0x4000);

        DescriptorChain chain = q.pop();

        assertThat(chain.head()).isEqualTo(head);
        assertThat(chain.readable()).hasSize(1);
        assertThat(chain.writable()).hasSize(1);
        assertThat(chain.writableBytes()).isEqualTo(32);
        assertThat(malformed).isEmpty();
    }

    @Test
    void addUsedPublishesTheElementAndClampsTheLength() {
        SplitQueue q = queue(false, false);
        int head = driver.add(List.of(new Buf(DATA, 16, true)));
        DescriptorChain chain = q.pop();

        q.addUsed(chain, 1000);

        DriverRing.Used used = driver.pollUsed();
        assertThat(used).isEqualTo(new DriverRing.Used(head, 16));
        assertThat(q.state().nextUsed()).isEqualTo(1);
        assertThat(q.state().nextAvail()).isEqualTo(1);
    }

    @Test
    void interruptsUnlessTheDriverSetNoInterrupt() {
        SplitQueue q = queue(false, false);
        driver.add(List.of(new Buf(DATA, 16, true)));
        q.addUsed(q.pop(), 1);
        q.signalUsed();
        assertThat(interrupts).hasValue(1);

        q.signalUsed(); // nothing new used
        assertThat(interrupts).hasValue(1);

        driver.setNoInterrupt(true);
        driver.add(List.of(new Buf(DATA, 16, true)));
        q.addUsed(q.pop(), 1);
        q.signalUsed();
        assertThat(interrupts).hasValue(1);
    }

    @Test
    void eventIdxInterruptsOnlyWhenTheUsedIndexPassesUsedEvent() {
        SplitQueue q = queue(true, false);
        driver.setUsedEvent(2); // interrupt me when used idx goes past 2, i.e. reaches 3
        for (int i = 0; i < 3; i++) {
            driver.add(List.of(new Buf(DATA + 0x100L * i, 16, true)));
        }
        for (int i = 0; i < 2; i++) {
            q.addUsed(q.pop(), 4);
            q.signalUsed();
        }
        assertThat(interrupts).hasValue(0);

        q.addUsed(q.pop(), 4);
        q.signalUsed();
        assertThat(interrupts).hasValue(1);
    }

    @Test
    void eventIdxRearmsAvailEventWhenTheRingIsEmpty() {
        SplitQueue q = queue(true, false);
        driver.add(List.of(new Buf(DATA, 16, true)));
        driver.add(List.of(new Buf(DATA, 16, true)));
        q.pop();
        q.pop();

        assertThat(q.pop()).isNull();

        assertThat(driver.availEvent()).isEqualTo(2);
    }

    @Test
    void needEventHandlesWraparound() {
        assertThat(SplitQueue.needEvent(0xffff, 0, 0xfffe)).isTrue();
        assertThat(SplitQueue.needEvent(5, 5, 4)).isFalse();
        assertThat(SplitQueue.needEvent(4, 5, 4)).isTrue();
        assertThat(SplitQueue.needEvent(10, 5, 4)).isFalse();
    }

    @Test
    void stopWakesTheWaiterAndEndsTheQueue() throws Exception {
        SplitQueue q = queue(false, false);
        boolean[] result = new boolean[1];
        Thread waiter = new Thread(() -> result[0] = q.awaitNotification());
        waiter.start();
        q.stop();
        waiter.join(2000);

        assertThat(waiter.isAlive()).isFalse();
        assertThat(result[0]).isFalse();
        driver.add(List.of(new Buf(DATA, 16, true)));
        assertThat(q.pop()).isNull();
    }

    @Test
    void aKickWakesTheWaiter() {
        SplitQueue q = queue(false, false);
        q.kick();
        assertThat(q.awaitNotification()).isTrue();
    }

    // ---- malformed chains: each is refused, the queue stops, nothing outside guest RAM is touched

    private void assertRefused(SplitQueue q, String why) {
        assertThat(q.pop()).isNull();
        assertThat(malformed).hasSize(1);
        assertThat(malformed.get(0)).contains(why);
        assertThat(q.stopped()).isTrue();
        assertThat(q.awaitNotification()).isFalse();
        assertThat(memory.refusedAccesses()).isZero();
    }

    @Test
    void refusesALoopingChain() {
        SplitQueue q = queue(false, false);
        driver.writeDescriptor(0, DATA, 16, DriverRing.F_NEXT, 1);
        driver.writeDescriptor(1, DATA, 16, DriverRing.F_NEXT, 0);
        driver.publish(0);
        assertRefused(q, "loop");
    }

    @Test
    void refusesAChainLongerThanTheQueue() {
        SplitQueue q = queue(false, false);
        for (int i = 0; i < SIZE; i++) {
            driver.writeDescriptor(i, DATA, 1, DriverRing.F_NEXT, (i + 1) % SIZE);
        }
        driver.publish(3);
        assertRefused(q, "longer than the queue");
    }

    @Test
    void refusesAHeadBeyondTheQueue() {
        SplitQueue q = queue(false, false);
        driver.publish(SIZE);
        assertRefused(q, "head");
    }

    @Test
    void refusesANextIndexBeyondTheQueue() {
        SplitQueue q = queue(false, false);
        driver.writeDescriptor(0, DATA, 16, DriverRing.F_NEXT, SIZE + 3);
        driver.publish(0);
        assertRefused(q, "beyond the queue size");
    }

    @Test
    void refusesABufferOutsideGuestMemory() {
        SplitQueue q = queue(false, false);
        driver.writeDescriptor(0, memory.size() - 8, 16, DriverRing.F_WRITE, 0);
        driver.publish(0);
        assertRefused(q, "outside guest RAM");
    }

    @Test
    void refusesABufferWhoseLengthWrapsTheAddressSpace() {
        SplitQueue q = queue(false, false);
        driver.writeDescriptor(0, 0xffff_ffff_ffff_f000L, 0x2000, 0, 0);
        driver.publish(0);
        assertRefused(q, "outside guest RAM");
    }

    @Test
    void refusesAReadableDescriptorAfterAWritableOne() {
        SplitQueue q = queue(false, false);
        driver.writeDescriptor(0, DATA, 16, DriverRing.F_WRITE | DriverRing.F_NEXT, 1);
        driver.writeDescriptor(1, DATA, 16, 0, 0);
        driver.publish(0);
        assertRefused(q, "readable descriptor after a writable one");
    }

    @Test
    void refusesANestedIndirectTable() {
        SplitQueue q = queue(false, true);
        long table = 0x4000;
        driver.writeDescriptorAt(table, 0x5000, 16, DriverRing.F_INDIRECT, 0);
        driver.writeDescriptor(0, table, 16, DriverRing.F_INDIRECT, 0);
        driver.publish(0);
        assertRefused(q, "nested indirect");
    }

    @Test
    void refusesAnIndirectTableOfBadLength() {
        SplitQueue q = queue(false, true);
        driver.writeDescriptor(0, 0x4000, 24, DriverRing.F_INDIRECT, 0);
        driver.publish(0);
        assertRefused(q, "indirect table of 24 bytes");
    }

    @Test
    void refusesAnEmptyIndirectTable() {
        SplitQueue q = queue(false, true);
        driver.writeDescriptor(0, 0x4000, 0, DriverRing.F_INDIRECT, 0);
        driver.publish(0);
        assertRefused(q, "indirect table of 0 bytes");
    }

    @Test
    void refusesAnIndirectTableOutsideGuestMemory() {
        SplitQueue q = queue(false, true);
        driver.writeDescriptor(0, memory.size() - 16, 32, DriverRing.F_INDIRECT, 0);
        driver.publish(0);
        assertRefused(q, "outside guest RAM");
    }

    @Test
    void refusesALoopInsideAnIndirectTable() {
        SplitQueue q = queue(false, true);
        long table = 0x4000;
        driver.writeDescriptorAt(table, DATA, 4, DriverRing.F_NEXT, 1);
        driver.writeDescriptorAt(table + 16, DATA, 4, DriverRing.F_NEXT, 0);
        driver.writeDescriptor(0, table, 32, DriverRing.F_INDIRECT, 0);
        driver.publish(0);
        assertRefused(q, "loop");
    }

    @Test
    void refusesIndirectWithoutTheFeature() {
        SplitQueue q = queue(false, false);
        driver.addIndirect(List.of(new Buf(DATA, 16, true)), 0x4000);
        assertRefused(q, "VIRTIO_F_RING_INDIRECT_DESC");
    }

    @Test
    void refusesIndirectCombinedWithNext() {
        SplitQueue q = queue(false, true);
        driver.writeDescriptorAt(0x4000, DATA, 4, DriverRing.F_WRITE, 0);
        driver.writeDescriptor(0, 0x4000, 16, DriverRing.F_INDIRECT | DriverRing.F_NEXT, 1);
        driver.writeDescriptor(1, DATA, 4, DriverRing.F_WRITE, 0);
        driver.publish(0);
        assertRefused(q, "both INDIRECT and NEXT");
    }

    // ---- the budget (ChainBudget): what a driver can make the host hold

    @Test
    void refusesAnIndirectTableLongerThanTheQueue() {
        SplitQueue q = queue(false, true);
        long table = 0x4000;
        for (int i = 0; i <= SIZE; i++) {
            driver.writeDescriptorAt(table + 16L * i, DATA, 0, i < SIZE ? DriverRing.F_NEXT : 0, i + 1);
        }
        driver.writeDescriptor(0, table, 16 * (SIZE + 1), DriverRing.F_INDIRECT, 0);
        driver.publish(0);
        assertRefused(q, "at most " + SIZE + " entries");
    }

    @Test
    void refusesDirectAndIndirectDescriptorsThatTogetherExceedTheQueue() {
        SplitQueue q = queue(false, true);
        long table = 0x4000;
        for (int i = 0; i < SIZE; i++) {
            driver.writeDescriptorAt(table + 16L * i, DATA, 1, DriverRing.F_WRITE | (i < SIZE - 1 ? DriverRing.F_NEXT : 0),
                    i + 1);
        }
        driver.writeDescriptor(0, DATA, 1, DriverRing.F_NEXT, 1);
        driver.writeDescriptor(1, table, 16 * SIZE, DriverRing.F_INDIRECT, 0);
        driver.publish(0);
        assertRefused(q, "longer than the queue");
    }

    @Test
    void aFullIndirectTableOfEmptyDescriptorsParsesToNothingHeld() {
        SplitQueue q = queue(false, true);
        long table = 0x4000;
        for (int i = 0; i < SIZE; i++) {
            boolean last = i == SIZE - 1;
            driver.writeDescriptorAt(table + 16L * i, DATA, last ? 12 : 0, DriverRing.F_WRITE | (last ? 0 : DriverRing.F_NEXT),
                    i + 1);
        }
        driver.writeDescriptor(0, table, 16 * SIZE, DriverRing.F_INDIRECT, 0);
        driver.publish(0);

        DescriptorChain chain = q.pop();

        assertThat(malformed).isEmpty();
        assertThat(chain.readable()).isEmpty();
        assertThat(chain.writable()).containsExactly(new io.jvmm.virtio.ChainBuffer(DATA, 12, true));
    }

    @Test
    void refusesAChainOfMoreBytesThanTheBudget() {
        SplitQueue q = queue(false, false);
        // Overlapping buffers: little guest RAM, but every descriptor counts.
        int each = (int) (ChainBudget.MAX_CHAIN_BYTES / 4) + 1;
        ByteArrayGuestMemory big = new ByteArrayGuestMemory(each + 0x2_0000);
        DriverRing ring = DriverRing.at(big, SIZE, RINGS);
        for (int i = 0; i < 4; i++) {
            ring.writeDescriptor(i, 0x1_0000, each, DriverRing.F_WRITE | (i < 3 ? DriverRing.F_NEXT : 0), i + 1);
        }
        ring.publish(0);
        QueueState state = new QueueState(SIZE, true, ring.descTable(), ring.availRing(), ring.usedRing(), 0, 0);
        SplitQueue bigQueue = SplitQueue.open(0, state, SIZE, 0, big, false, false, notifier, () -> { }, malformed::add);

        assertThat(bigQueue.pop()).isNull();

        assertThat(malformed).singleElement().asString().contains("more than " + ChainBudget.MAX_CHAIN_BYTES + " bytes");
        assertThat(bigQueue.stopped()).isTrue();
        assertThat(q.stopped()).isFalse();
    }

    @Test
    void refusesAHeadMadeAvailableAgainBeforeItWasUsed() {
        SplitQueue q = queue(false, false);
        driver.writeDescriptor(0, DATA, 16, DriverRing.F_WRITE, 0);
        driver.publish(0);
        driver.publish(0);
        assertThat(q.pop()).isNotNull();
        assertRefused(q, "chain head 0 made available again before the device used it");
    }

    @Test
    void aHeadMayBeMadeAvailableAgainOnceUsed() {
        SplitQueue q = queue(false, false);
        driver.writeDescriptor(0, DATA, 16, DriverRing.F_WRITE, 0);
        driver.publish(0);
        q.addUsed(q.pop(), 0);
        driver.publish(0);

        assertThat(q.pop()).isNotNull();
        assertThat(malformed).isEmpty();
    }

    @Test
    void aDriverThatKeepsRepublishingOneChainCannotMakeTheDeviceHoldMoreThanTheQueue() {
        SplitQueue q = queue(false, false);
        driver.writeDescriptor(0, DATA, 16, DriverRing.F_WRITE, 0);
        List<DescriptorChain> held = new ArrayList<>();
        for (int round = 0; round < 4 * SIZE && !q.stopped(); round++) {
            driver.publish(0);
            DescriptorChain c = q.pop();
            if (c != null) {
                held.add(c); // a device that parks chains, as virtio-net receive does
            }
        }
        assertThat(held).hasSize(1);
        assertThat(q.inFlight()).isEqualTo(1);
        assertThat(malformed).singleElement().asString().contains("made available again");
    }

    @Test
    void refusesAnAvailIndexThatRunsAheadOfTheRing() {
        SplitQueue q = queue(false, false);
        driver.setAvailIdx(SIZE + 1);
        assertRefused(q, "more than the queue size");
    }

    @Test
    void reportsOnlyOnceAndThenStaysStopped() {
        SplitQueue q = queue(false, false);
        driver.publish(SIZE);
        driver.publish(SIZE);
        q.pop();
        q.pop();
        assertThat(malformed).hasSize(1);
    }

    // ---- queue state validation (2.7)

    @Test
    void stateValidationRejectsBadSizesAlignmentAndAddresses() {
        long d = driver.descTable();
        long a = driver.availRing();
        long u = driver.usedRing();
        assertThat(new QueueState(6, true, d, a, u, 0, 0).problem(8, memory)).contains("power of two");
        assertThat(new QueueState(16, true, d, a, u, 0, 0).problem(8, memory)).contains("power of two");
        assertThat(new QueueState(8, true, d + 8, a, u, 0, 0).problem(8, memory)).contains("misaligned");
        assertThat(new QueueState(8, true, d, a, memory.size() - 8, 0, 0).problem(8, memory)).contains("used ring");
        assertThat(new QueueState(8, true, d, a, u, 0x10000, 0).problem(8, memory)).contains("16-bit");
        assertThat(new QueueState(8, true, d, a, u, 3, 3).problem(8, memory)).isNull();
    }

    @Test
    void opensNoQueueOverAStateThatBreaksTheRingRules() {
        QueueState outside = new QueueState(SIZE, true, driver.descTable(), driver.availRing(), 0x10_0000, 0, 0);
        QueueState tooBig = new QueueState(16, true, driver.descTable(), driver.availRing(), driver.usedRing(), 0, 0);

        assertThatThrownBy(() -> SplitQueue.open(3, outside, SIZE, 0, memory, false, false, notifier, () -> { },
                malformed::add)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("queue 3: used ring [0x100000, +0x46) is not guest RAM");
        assertThatThrownBy(() -> SplitQueue.open(0, tooBig, SIZE, 0, memory, false, false, notifier, () -> { },
                malformed::add)).hasMessageContaining("queue size 16 is not a power of two in 1..8");
        assertThat(malformed).isEmpty();
    }

    @Test
    void resumesFromARestoredState() {
        driver.add(List.of(new Buf(DATA, 16, true)));
        driver.add(List.of(new Buf(DATA, 16, true)));
        SplitQueue first = queue(false, false);
        first.addUsed(first.pop(), 1);
        QueueState saved = first.state();

        SplitQueue restored = SplitQueue.open(0, saved, SIZE, saved.nextUsed(), memory, false, false, notifier, () -> { },
                malformed::add);

        assertThat(restored.pop().head()).isEqualTo(1);
        assertThat(restored.state().nextUsed()).isEqualTo(1);
    }
}
