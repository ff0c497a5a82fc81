package io.jvmm.virtio.net;

import io.jvmm.spi.Snapshottable.StateException;
import io.jvmm.virtio.StateCodec;

/**
 * A virtio-net device's own snapshot record: the tap it was attached to and what the guest was
 * told (MAC, MTU, mergeable buffers). On restore the tap is opened again from the config and
 * this record makes sure it is the same one; the receive offloads the driver negotiated are set
 * on it again when the device is re-activated.
 *
 * @param tap       the tap interface's name
 * @param mac       the MAC in the config space
 * @param mtu       the advertised MTU, 0 for none
 * @param mergeable whether VIRTIO_NET_F_MRG_RXBUF was offered
 */
record NetState(String tap, String mac, int mtu, boolean mergeable) {
    static final int VERSION = 1;

    static NetState of(NetConfig config) {
        return new NetState(config.tap(), config.mac().toString(), config.mtu(), config.mergeable());
    }

    byte[] encode() {
        return new StateCodec.Writer().putInt(VERSION).putString(tap).putString(mac).putInt(mtu).putBoolean(mergeable)
                .toByteArray();
    }

    static NetState decode(byte[] data) throws StateException {
        StateCodec.Reader r = StateCodec.open("virtio-net state", data, VERSION);
        NetState s = new NetState(r.getString("tap"), r.getString("mac"), r.getInt("mtu"), r.getBoolean("mergeable"));
        r.end();
        return s;
    }

    /** Why the device as configured now is not the one this state was saved from, or null. */
    String mismatch(NetState now) {
        if (!tap.equals(now.tap)) {
            return "the snapshot used tap " + tap + ", the config now names " + now.tap;
        }
        if (!mac.equals(now.mac)) {
            return "the guest's MAC was " + mac + " in the snapshot and would be " + now.mac + " now";
        }
        if (mtu != now.mtu || mergeable != now.mergeable) {
            return "the MTU or mergeable_rx_buffers setting differs from the snapshot's";
        }
        return null;
    }
}
