package io.jvmm.control;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What happens to a VM, in order, for whoever listens (the API's event stream). Publishing never
 * blocks and never starts a thread, so any thread may publish, a vCPU's too: each subscriber
 * has a bounded queue, and one that falls behind loses events (it is told how many) instead of
 * holding memory or the publisher.
 */
public final class VmEvents {
    /** Events one subscriber may have waiting before it starts to lose them. */
    public static final int QUEUE = 256;

    /** One event: a sequence number (from 1, in publishing order), when, what, and its details. */
    public record Event(long seq, Instant time, String type, Map<String, Object> data) {
        public Event {
            data = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(data));
        }
    }

    private final AtomicLong seq = new AtomicLong();
    private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();

    /** Publishes {@code type} with {@code data} (keys and values in pairs) to every subscriber. */
    public Event publish(String type, Object... data) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < data.length; i += 2) {
            map.put((String) data[i], data[i + 1]);
        }
        Event e;
        synchronized (this) {
            // Sequence and delivery under one lock: every subscriber sees the same order.
            e = new Event(seq.incrementAndGet(), Instant.now(), type, map);
            for (Subscription s : subscribers) {
                s.offer(e);
            }
        }
        return e;
    }

    /** Starts receiving the events published from now on; close the subscription when done. */
    public Subscription subscribe() {
        Subscription s = new Subscription();
        subscribers.add(s);
        return s;
    }

    public int subscribers() {
        return subscribers.size();
    }

    /** A subscriber's queue. */
    public final class Subscription implements AutoCloseable {
        private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(QUEUE);
        private final AtomicLong lost = new AtomicLong();

        private void offer(Event e) {
            if (!queue.offer(e)) {
                lost.incrementAndGet();
            }
        }

        /** The next event, or null after {@code millis} without one. */
        public Event next(long millis) throws InterruptedException {
            return queue.poll(millis, TimeUnit.MILLISECONDS);
        }

        /** How many events were dropped because this subscriber fell behind, and resets the count. */
        public long takeLost() {
            return lost.getAndSet(0);
        }

        @Override
        public void close() {
            subscribers.remove(this);
        }
    }
}
