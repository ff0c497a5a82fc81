package io.jvmm.testkit;

import io.jvmm.spi.GuestMemory;

import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The driver's side of a split virtqueue in test memory, written the way Linux's
 * virtio_ring.c does it (virtio 1.2, 2.7.13): descriptors first, then the avail ring entry,
 * a barrier, then avail idx. Also writes raw descriptors for the malformed-chain tests.
 */
public final class DriverRing {
    public static final int F_NEXT = 1;
    public static final int F_WRITE = 2;
    public static final int F_INDIRECT = 4;

    /** A buffer the driver offers. */
    public record Buf(long address, int length, boolean writable) { }

    /** One used-ring element. */
    public record Used(int id, int length) { }

    private final GuestMemory memory;
    private final int size;
    private final long desc;
    private final long avail;
    private final long used;
    private final Deque<Integer> free = new ArrayDeque<>();
    private final Map<Integer, List<Integer>> chains = new HashMap<>();
    private int availIdx;
    private int lastUsed;
    private boolean eventIdxAutoRearm = true;

    public DriverRing(GuestMemory memory, int size, long desc, long avail, long used) {
        this.memory = memory;
        this.size = size;
        this.desc = desc;
        this.avail = avail;
        this.used = used;
        for (int i = 0; i < size; i++) {
            free.add(i);
        }
    }

    /** Lays the three rings out from {@code base}: desc (16-aligned), avail, used (4-aligned). */
    public static DriverRing at(GuestMemory memory, int size, long base) {
        long desc = base;
        long avail = desc + 16L * size;
        long used = (avail + 6 + 2L * size + 3) & ~3L;
        return new DriverRing(memory, size, desc, avail, used);
    }

    public long descTable() {
        return desc;
    }

    public long availRing() {
        return avail;
    }

    public long usedRing() {
        return used;
    }

    public int size() {
        return size;
    }

    /** End of the used ring (with avail_event), for placing the next structure. */
    public long end() {
        return used + 6 + 8L * size;
    }

    public void writeDescriptor(int index, long address, int length, int flags, int next) {
        writeDescriptorAt(desc + 16L * index, address, length, flags, next);
    }

    public void writeDescriptorAt(long at, long address, int length, int flags, int next) {
        memory.writeLong(at, address);
        memory.writeInt(at + 8, length);
        memory.writeShort(at + 12, (short) flags);
        memory.writeShort(at + 14, (short) next);
    }

    /** Writes {@code bufs} as a chain of free descriptors and makes it available; returns its head. */
    public int add(List<Buf> bufs) {
        List<Integer> ids = new java.util.ArrayList<>();
        for (int i = 0; i < bufs.size(); i++) {
            ids.add(free.removeFirst());
        }
        for (int i = 0; i < bufs.size(); i++) {
            Buf b = bufs.get(i);
            boolean last = i == bufs.size() - 1;
            writeDescriptor(ids.get(i), b.address(), b.length(), (b.writable() ? F_WRITE : 0) | (last ? 0 : F_NEXT),
                    last ? 0 : ids.get(i + 1));
        }
        chains.put(ids.get(0), ids);
        publish(ids.get(0));
        return ids.get(0);
    }

    /** Writes {@code bufs} as an indirect table at {@code table} behind one descriptor; returns its head. */
    public int addIndirect(List<Buf> bufs, long table) {
        for (int i = 0; i < bufs.size(); i++) {
            Buf b = bufs.get(i);
            boolean last = i == bufs.size() - 1;
            writeDescriptorAt(table + 16L * i, b.address(), b.length(),
                    (b.writable() ? F_WRITE : 0) | (last ? 0 : F_NEXT), last ? 0 : i + 1);
        }
        int head = free.removeFirst();
        writeDescriptor(head, table, 16 * bufs.size(), F_INDIRECT, 0);
        chains.put(head, List.of(head));
        publish(head);
        return head;
    }

    /** Puts {@code head} in the next avail slot and publishes it (2.7.13). */
    public void publish(int head) {
        memory.writeShort(avail + 4 + 2L * (availIdx % size), (short) head);
        VarHandle.releaseFence();
        availIdx = (availIdx + 1) & 0xffff;
        memory.writeShort(avail + 2, (short) availIdx);
        VarHandle.fullFence();
    }

    /** Sets avail idx directly (for the "runs ahead" test). */
    public void setAvailIdx(int idx) {
        availIdx = idx & 0xffff;
        memory.writeShort(avail + 2, (short) availIdx);
    }

    public int availIdx() {
        return availIdx;
    }

    /** Whether {@link #pollUsed} moves used_event along as Linux does (on by default). */
    public void setEventIdxAutoRearm(boolean on) {
        eventIdxAutoRearm = on;
    }

    /** VRING_AVAIL_F_NO_INTERRUPT (2.7.7). */
    public void setNoInterrupt(boolean on) {
        memory.writeShort(avail, (short) (on ? 1 : 0));
    }

    /** used_event (2.7.10): interrupt me when the used idx passes this. */
    public void setUsedEvent(int value) {
        memory.writeShort(avail + 4 + 2L * size, (short) value);
    }

    /** avail_event as the device wrote it. */
    public int availEvent() {
        return memory.readShort(used + 4 + 8L * size) & 0xffff;
    }

    public int usedIdx() {
        return memory.readShort(used + 2) & 0xffff;
    }

    /** The next used element, or null; frees its descriptors. */
    public Used pollUsed() {
        if (usedIdx() == lastUsed) {
            return null;
        }
        VarHandle.acquireFence();
        long e = used + 4 + 8L * (lastUsed % size);
        Used u = new Used(memory.readInt(e), memory.readInt(e + 4));
        lastUsed = (lastUsed + 1) & 0xffff;
        if (eventIdxAutoRearm) {
            // virtqueue_get_buf_ctx_split: "we expect an interrupt for the next entry" (used_event).
            setUsedEvent(lastUsed);
            VarHandle.fullFence();
        }
        List<Integer> ids = chains.remove(u.id());
        if (ids != null) {
            free.addAll(ids);
        }
        return u;
    }

    /** Waits up to {@code millis} for a used element. */
    public Used awaitUsed(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        Used u;
        while ((u = pollUsed()) == null && System.currentTimeMillis() < deadline) {
            Thread.sleep(1);
        }
        return u;
    }
}
