package io.jvmm.virtio.net;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The virtio-net device configuration layout (virtio 1.2, 5.1.4) up to {@code mtu}:
 * {@code mac[6]}, {@code status} (VIRTIO_NET_S_LINK_UP), {@code max_virtqueue_pairs} (1: no
 * VIRTIO_NET_F_MQ) and {@code mtu}.
 */
final class NetConfigSpace {
    static final int SIZE = 12;
    static final int S_LINK_UP = 1;

    private final byte[] bytes = new byte[SIZE];

    NetConfigSpace(MacAddress mac, int mtu) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, mac.bytes());
        b.putShort(8, (short) 1);
        b.putShort(10, (short) mtu);
        setLinkUp(true);
    }

    synchronized void setLinkUp(boolean up) {
        bytes[6] = (byte) (up ? S_LINK_UP : 0);
        bytes[7] = 0;
    }

    synchronized void read(int offset, byte[] data) {
        System.arraycopy(bytes, offset, data, 0, data.length);
    }
}
