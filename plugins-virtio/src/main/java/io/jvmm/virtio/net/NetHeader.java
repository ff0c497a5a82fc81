package io.jvmm.virtio.net;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code struct virtio_net_hdr} as it precedes every packet on both queues (virtio 1.2,
 * 5.1.6). With VIRTIO_F_VERSION_1 it is always 12 bytes, {@code num_buffers} included, and
 * the tap is told the same size (TUNSETVNETHDRSZ), so guest and tap headers line up byte for
 * byte and frames pass without rewriting.
 *
 * @param flags      VIRTIO_NET_HDR_F_NEEDS_CSUM, _DATA_VALID, _RSC_INFO
 * @param gsoType    VIRTIO_NET_HDR_GSO_NONE, _TCPV4, _UDP, _TCPV6, | _ECN
 * @param hdrLen     length of the headers to copy into each segment
 * @param gsoSize    segment payload size
 * @param csumStart  where checksumming starts
 * @param csumOffset where, after csumStart, the checksum goes
 * @param numBuffers receive buffers this packet spans (VIRTIO_NET_F_MRG_RXBUF), else 1
 */
record NetHeader(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset, int numBuffers) {
    static final int SIZE = 12;
    static final int NUM_BUFFERS_OFFSET = 10;
    static final int F_NEEDS_CSUM = 1;
    static final int F_DATA_VALID = 2;
    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_UDP = 3;
    static final int GSO_TCPV6 = 4;
    static final int GSO_ECN = 0x80;

    static NetHeader parse(byte[] b) {
        ByteBuffer h = ByteBuffer.wrap(b, 0, SIZE).order(ByteOrder.LITTLE_ENDIAN);
        return new NetHeader(h.get(0) & 0xff, h.get(1) & 0xff, h.getShort(2) & 0xffff, h.getShort(4) & 0xffff,
                h.getShort(6) & 0xffff, h.getShort(8) & 0xffff, h.getShort(10) & 0xffff);
    }

    byte[] toBytes() {
        return ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN).put((byte) flags).put((byte) gsoType)
                .putShort((short) hdrLen).putShort((short) gsoSize).putShort((short) csumStart)
                .putShort((short) csumOffset).putShort((short) numBuffers).array();
    }
}
