package io.jvmm.virtio.vsock;

import io.jvmm.virtio.ChainBuffer;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.block.FakeActivation;
import io.jvmm.virtio.block.FakeQueue;
import io.jvmm.virtio.block.TestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The driver side of a vsock device for tests: puts packets on the transmit queue, posts
 * receive buffers shaped as Linux posts them (a 44-byte header buffer and a 4 KiB data buffer),
 * and reads back what the device wrote. Guest RAM is reused round-robin.
 */
final class FakeGuest implements AutoCloseable {
    static final long CID = 3;
    static final int RX_DATA = 4096;
    private static final int RAM = 32 << 20;

    final TestMemory memory = new TestMemory(RAM);
    final FakeQueue rx = new FakeQueue(0, 256);
    final FakeQueue tx = new FakeQueue(1, 256);
    final FakeQueue event = new FakeQueue(2, 256);
    final FakeActivation activation = new FakeActivation(0, memory, rx, tx, event);
    final VirtioVsock device;
    private long next = 0x1000;
    private int head;
    private int rxTaken;
    private int txSent;

    record Packet(VsockHeader h, byte[] data) {
    }

    FakeGuest(VirtioVsock device) {
        this.device = device;
    }

    FakeGuest start() {
        device.activate(activation);
        return this;
    }

    private synchronized long alloc(int length) {
        if (next + length > RAM) {
            next = 0x1000;
        }
        long at = next;
        next = (next + length + 63) & ~63L;
        return at;
    }

    static VsockHeader header(int srcPort, int dstPort, int op, int len, int flags, int bufAlloc, int fwdCnt) {
        return new VsockHeader(CID, GuestPackets.HOST_CID, srcPort, dstPort, len, VsockHeader.TYPE_STREAM, op, flags,
                bufAlloc, fwdCnt);
    }

    static byte[] encode(VsockHeader h) {
        return ByteBuffer.allocate(VsockHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN).putLong(h.srcCid())
                .putLong(h.dstCid()).putInt(h.srcPort()).putInt(h.dstPort()).putInt(h.len()).putShort((short) h.type())
                .putShort((short) h.op()).putInt(h.flags()).putInt(h.bufAlloc()).putInt(h.fwdCnt()).array();
    }

    /** Sends raw bytes as one transmit chain and waits until the device has taken it. */
    void sendRaw(byte[] headerBytes, byte[] payload) throws InterruptedException {
        List<ChainBuffer> bufs = new ArrayList<>();
        long a = alloc(headerBytes.length);
        memory.write(a, headerBytes, 0, headerBytes.length);
        bufs.add(new ChainBuffer(a, headerBytes.length, false));
        if (payload != null && payload.length > 0) {
            long p = alloc(payload.length);
            memory.write(p, payload, 0, payload.length);
            bufs.add(new ChainBuffer(p, payload.length, false));
        }
        tx.offer(new DescriptorChain(memory, head++ & 0xffff, bufs));
        tx.awaitUsed(++txSent, 5000);
    }

    void send(VsockHeader h, byte[] payload) throws InterruptedException {
        sendRaw(encode(h), payload);
    }

    void send(VsockHeader h) throws InterruptedException {
        send(h, null);
    }

    /** Posts {@code n} receive buffers. */
    void postRx(int n) {
        DescriptorChain[] chains = new DescriptorChain[n];
        for (int i = 0; i < n; i++) {
            long h = alloc(VsockHeader.SIZE);
            long d = alloc(RX_DATA);
            chains[i] = new DescriptorChain(memory, head++ & 0xffff,
                    List.of(new ChainBuffer(h, VsockHeader.SIZE, true), new ChainBuffer(d, RX_DATA, true)));
        }
        rx.offer(chains);
    }

    /** The next packet the device put in a receive buffer. */
    Packet receive(long timeoutMs) throws InterruptedException {
        FakeQueue.Used u = rx.awaitUsed(rxTaken + 1, timeoutMs).get(rxTaken++);
        byte[] all = new byte[u.written()];
        int off = 0;
        for (ChainBuffer b : u.chain().writable()) {
            int n = Math.min(b.length(), all.length - off);
            memory.read(b.address(), all, off, n);
            off += n;
        }
        ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        VsockHeader h = new VsockHeader(bb.getLong(), bb.getLong(), bb.getInt(), bb.getInt(), bb.getInt(),
                bb.getShort() & 0xffff, bb.getShort() & 0xffff, bb.getInt(), bb.getInt(), bb.getInt());
        byte[] data = new byte[all.length - VsockHeader.SIZE];
        bb.get(data);
        return new Packet(h, data);
    }

    /** How many receive buffers the device has filled so far. */
    int rxUsed() throws InterruptedException {
        return rx.awaitUsed(0, 0).size();
    }

    int rxRead() {
        return rxTaken;
    }

    @Override
    public void close() throws Exception {
        activation.stopAndJoin();
        device.reset();
        device.close();
    }
}
