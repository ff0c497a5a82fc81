package io.jvmm.virtio.queue;

import io.jvmm.spi.EventFd;
import io.jvmm.spi.GuestMemory;
import io.jvmm.spi.GuestMemoryException;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.VirtioQueue;

import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The device side of a split virtqueue (virtio 1.2, 2.7) over guest memory it does not own.
 *
 * <p>Ring layout, with {@code n} = size: available ring = flags, idx, ring[n], used_event;
 * used ring = flags, idx, ring[n] of (id, len), avail_event (2.7.6, 2.7.8).
 *
 * <p>Memory ordering follows 2.7.13 and Linux's virtio_ring.c pairing: the avail index is read
 * before the entries it covers (acquire); used elements are written before the used index
 * that publishes them (release); and the two event-index handshakes use a full fence between
 * the store of our index and the load of the driver's (2.7.10).
 *
 * <p>For pause and snapshot the queue can be {@linkplain #quiesce() quiesced}: no new chains are
 * handed out and waiters are told to leave, but chains already taken can still be completed. It
 * remembers the chains taken and not yet used; {@link #state()} rewinds the next-avail index to
 * the oldest of them, so a queue rebuilt from that state reads them again from the available ring
 * (which the driver leaves alone until they are used) and none is lost or completed twice. That
 * needs chains completed in the order they were taken, which every device here does (one worker
 * per queue).
 */
public final class SplitQueue implements VirtioQueue {
    private static final int AVAIL_F_NO_INTERRUPT = 1;

    private final int index;
    private final QueueState config;
    private final GuestMemory memory;
    private final boolean eventIdx;
    private final ChainParser parser;
    private final Runnable interrupt;
    private final Consumer<String> malformed;
    private volatile EventFd notifier;
    private volatile boolean stopped;
    private volatile boolean quiesced;
    /** Heads of the chains taken and not yet used, oldest first, with the avail index each came from. */
    private final ArrayDeque<int[]> inFlight = new ArrayDeque<>();
    /** Which heads are in {@link #inFlight}: a head is taken at most once, so at most size chains are held. */
    private final boolean[] taken;
    private boolean completedOutOfOrder;
    private int nextAvail;
    private int nextUsed;
    /** The used index when the driver was last interrupted (the "old" of vring_need_event). */
    private int signalledUsed;

    /**
     * A queue over {@code state}, which comes from the driver or from a snapshot and is not
     * trusted: it is checked first against the rules of virtio 1.2, 2.7 and guest memory
     * ({@link QueueState#problem}), so no queue exists over rings outside guest RAM.
     *
     * @param maxSize       the largest size the device offers for this queue
     * @param signalledUsed the used index the driver was last interrupted for (the "old" of
     *                      vring_need_event): {@code state.nextUsed()} for a new queue, the saved
     *                      one for a queue that continues, which then neither repeats nor skips
     *                      an interrupt
     * @param notifier      eventfd signalled by the driver's notifications
     * @param interrupt     sends this queue's interrupt to the driver
     * @param malformed     told (once per offence) when the driver broke the ring rules; the
     *                      queue is already stopped
     * @throws IllegalArgumentException naming the queue and what is wrong with {@code state}
     */
    public static SplitQueue open(int index, QueueState state, int maxSize, int signalledUsed, GuestMemory memory,
                                  boolean eventIdx, boolean indirect, EventFd notifier, Runnable interrupt,
                                  Consumer<String> malformed) {
        String problem = Objects.requireNonNull(state, "state").problem(maxSize, Objects.requireNonNull(memory, "memory"));
        if (problem != null) {
            throw new IllegalArgumentException("queue " + index + ": " + problem);
        }
        return new SplitQueue(index, state, signalledUsed, memory, eventIdx, indirect, notifier, interrupt, malformed);
    }

    private SplitQueue(int index, QueueState state, int signalledUsed, GuestMemory memory, boolean eventIdx,
                       boolean indirect, EventFd notifier, Runnable interrupt, Consumer<String> malformed) {
        this.index = index;
        this.config = Objects.requireNonNull(state, "state");
        this.memory = Objects.requireNonNull(memory, "memory");
        this.eventIdx = eventIdx;
        this.parser = new ChainParser(memory, state.descTable(), state.size(), indirect);
        this.taken = new boolean[state.size()];
        this.notifier = Objects.requireNonNull(notifier, "notifier");
        this.interrupt = Objects.requireNonNull(interrupt, "interrupt");
        this.malformed = Objects.requireNonNull(malformed, "malformed");
        this.nextAvail = state.nextAvail();
        this.nextUsed = state.nextUsed();
        this.signalledUsed = signalledUsed & 0xffff;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public int size() {
        return config.size();
    }

    @Override
    public boolean enabled() {
        return config.ready();
    }

    @Override
    public boolean awaitNotification() {
        if (stopped || quiesced) {
            return false;
        }
        notifier.read();
        return !stopped && !quiesced;
    }

    @Override
    public DescriptorChain pop() {
        String problem;
        synchronized (this) {
            if (stopped || quiesced || !config.ready()) {
                return null;
            }
            try {
                return next();
            } catch (MalformedChainException e) {
                problem = e.getMessage();
            } catch (GuestMemoryException e) {
                problem = "ring access outside guest RAM: " + e.getMessage();
            }
        }
        fail(problem);
        return null;
    }

    /** The next chain, or null when the ring is empty. Holds the lock. */
    private DescriptorChain next() throws MalformedChainException {
        int avail = availIndex();
        if (avail == nextAvail && eventIdx) {
            // 2.7.10: ask for a notification when the next buffer arrives, then look again so a
            // buffer added between our first look and the store is not missed.
            memory.writeShort(availEventAddress(), (short) nextAvail);
            VarHandle.fullFence();
            avail = availIndex();
        }
        if (avail == nextAvail) {
            return null;
        }
        int pending = (avail - nextAvail) & 0xffff;
        if (pending > config.size()) {
            throw new MalformedChainException("available index " + avail + " is " + pending
                    + " entries ahead of the device, more than the queue size " + config.size());
        }
        int head = memory.readShort(config.availRing() + 4 + 2L * (nextAvail % config.size())) & 0xffff;
        if (head < config.size() && taken[head]) {
            // A chain belongs to the device from the time its head is made available until the
            // device returns it through the used ring (2.7.13, 2.7.8): offering it again first
            // is a driver bug, and would let the device hold more chains than the queue has
            // descriptors (ChainBudget).
            throw new MalformedChainException("chain head " + head + " made available again before the device used it");
        }
        DescriptorChain chain = parser.parse(head);
        inFlight.addLast(new int[] {head, nextAvail});
        taken[head] = true;
        nextAvail = (nextAvail + 1) & 0xffff;
        return chain;
    }

    private int availIndex() {
        int avail = memory.readShort(config.availRing() + 2) & 0xffff;
        // Pairs with the driver's write barrier before it publishes avail->idx (2.7.13).
        VarHandle.acquireFence();
        return avail;
    }

    @Override
    public void addUsed(DescriptorChain chain, int writtenBytes) {
        synchronized (this) {
            if (stopped || !config.ready()) {
                return;
            }
            if (chain.head() < 0 || chain.head() >= config.size()) {
                throw new IllegalArgumentException("chain head " + chain.head() + " does not belong to queue " + index);
            }
            retire(chain.head());
            int len = (int) Math.max(0, Math.min(writtenBytes, chain.writableBytes()));
            long element = config.usedRing() + 4 + 8L * (nextUsed % config.size());
            try {
                memory.writeInt(element, chain.head());
                memory.writeInt(element + 4, len);
                // 2.7.8.2: the element must be visible before the index that covers it.
                VarHandle.releaseFence();
                nextUsed = (nextUsed + 1) & 0xffff;
                memory.writeShort(config.usedRing() + 2, (short) nextUsed);
                return;
            } catch (GuestMemoryException e) {
                // Validated at enable time, so only a changed memory map gets here.
            }
        }
        fail("used ring outside guest RAM");
    }

    /** Forgets {@code head} as in flight. Holds the lock. */
    private void retire(int head) {
        taken[head] = false;
        int[] oldest = inFlight.peekFirst();
        if (oldest != null && oldest[0] == head) {
            inFlight.removeFirst();
            return;
        }
        if (inFlight.removeIf(e -> e[0] == head)) {
            completedOutOfOrder = true;
        }
    }

    @Override
    public void signalUsed() {
        Boolean needed;
        synchronized (this) {
            needed = needsInterrupt();
        }
        if (needed == null) {
            fail("available ring outside guest RAM");
        } else if (needed) {
            interrupt.run();
        }
    }

    /** Whether to interrupt now; null when the ring cannot be read. Holds the lock. */
    private Boolean needsInterrupt() {
        if (stopped || !config.ready() || nextUsed == signalledUsed) {
            return false;
        }
        // The used index store must be visible before we read the driver's suppression fields.
        VarHandle.fullFence();
        int old = signalledUsed;
        signalledUsed = nextUsed;
        try {
            if (eventIdx) {
                int usedEvent = memory.readShort(config.availRing() + 4 + 2L * config.size()) & 0xffff;
                return needEvent(usedEvent, nextUsed, old);
            }
            return (memory.readShort(config.availRing()) & AVAIL_F_NO_INTERRUPT) == 0;
        } catch (GuestMemoryException e) {
            return null;
        }
    }

    /** vring_need_event (2.7.10): did the used index step past {@code event} going from old to new? */
    static boolean needEvent(int event, int newIdx, int oldIdx) {
        return ((newIdx - event - 1) & 0xffff) < ((newIdx - oldIdx) & 0xffff);
    }

    private long availEventAddress() {
        return config.usedRing() + 4 + 8L * config.size();
    }

    @Override
    public EventFd notifier() {
        return notifier;
    }

    @Override
    public boolean stopped() {
        return stopped || quiesced;
    }

    /**
     * Hands out no more chains and tells waiters to leave ({@link #awaitNotification()} false,
     * {@link #stopped()} true), while chains already taken can still be completed and signalled.
     * For pause: the transport joins the workers after this.
     */
    public void quiesce() {
        synchronized (this) {
            quiesced = true;
        }
        notifier.write(1);
    }

    /** Chains taken and not yet used. */
    public synchronized int inFlight() {
        return inFlight.size();
    }

    /** True when a chain was completed before an older one: then {@link #state()} cannot rewind exactly. */
    public synchronized boolean completedOutOfOrder() {
        return completedOutOfOrder;
    }

    /** The used index the driver was last interrupted for. */
    public synchronized int signalledUsed() {
        return signalledUsed;
    }

    /**
     * A notify write that reached the VMM through the MMIO exit instead of the ioeventfd. Under
     * the lock, so it never writes an eventfd that {@link #stop()} has let the transport close.
     */
    public synchronized void kick() {
        if (!stopped) {
            notifier.write(1);
        }
    }

    /**
     * Uses {@code replacement} for notifications from now on (the notify address moved with its
     * BAR) and wakes a waiter on the old one, which the caller retires once the workers are gone.
     */
    public EventFd replaceNotifier(EventFd replacement) {
        EventFd old = notifier;
        notifier = Objects.requireNonNull(replacement, "replacement");
        old.write(1);
        return old;
    }

    /** Stops the queue for good and wakes its waiter: nothing touches guest memory after this returns. */
    public void stop() {
        synchronized (this) {
            stopped = true;
        }
        notifier.write(1);
    }

    /**
     * The queue as plain data, for snapshots: next-avail is rewound to the oldest chain still in
     * flight, so a queue built from this state takes it (and any after it) again.
     */
    public synchronized QueueState state() {
        int[] oldest = inFlight.peekFirst();
        int avail = oldest != null ? oldest[1] : nextAvail;
        return new QueueState(config.size(), config.ready(), config.descTable(), config.availRing(), config.usedRing(),
                avail, nextUsed);
    }

    /** Stops the queue and reports the driver's offence. Called without holding the lock. */
    private void fail(String reason) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        notifier.write(1);
        malformed.accept("queue " + index + ": " + reason);
    }
}
