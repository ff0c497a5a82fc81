package io.jvmm.virtio.vsock;

import io.jvmm.virtio.ChainReader;
import io.jvmm.virtio.ChainWriter;

/**
 * The 44-byte little-endian packet header every vsock packet starts with
 * (virtio 1.2, 5.10.6; Linux {@code struct virtio_vsock_hdr}). Ports, len, flags and the
 * credit counters are unsigned 32-bit values kept in Java {@code int}s.
 */
record VsockHeader(long srcCid, long dstCid, int srcPort, int dstPort, int len, int type, int op, int flags,
        int bufAlloc, int fwdCnt) {
    static final int SIZE = 44;

    static final int TYPE_STREAM = 1;

    static final int OP_REQUEST = 1;
    static final int OP_RESPONSE = 2;
    static final int OP_RST = 3;
    static final int OP_SHUTDOWN = 4;
    static final int OP_RW = 5;
    static final int OP_CREDIT_UPDATE = 6;
    static final int OP_CREDIT_REQUEST = 7;

    /** The sender will receive no more (5.10.6.4). */
    static final int SHUTDOWN_RCV = 1;
    /** The sender will send no more. */
    static final int SHUTDOWN_SEND = 2;

    static VsockHeader read(ChainReader r) {
        return new VsockHeader(r.readLong(), r.readLong(), r.readInt(), r.readInt(), r.readInt(),
                r.readShort() & 0xffff, r.readShort() & 0xffff, r.readInt(), r.readInt(), r.readInt());
    }

    void write(ChainWriter w) {
        w.writeLong(srcCid);
        w.writeLong(dstCid);
        w.writeInt(srcPort);
        w.writeInt(dstPort);
        w.writeInt(len);
        w.writeShort((short) type);
        w.writeShort((short) op);
        w.writeInt(flags);
        w.writeInt(bufAlloc);
        w.writeInt(fwdCnt);
    }

    @Override
    public String toString() {
        return "op " + op + " " + srcCid + ":" + Integer.toUnsignedString(srcPort) + " -> " + dstCid + ":"
                + Integer.toUnsignedString(dstPort) + " len " + Integer.toUnsignedString(len);
    }
}
