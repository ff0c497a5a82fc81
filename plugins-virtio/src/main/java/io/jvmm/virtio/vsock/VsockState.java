package io.jvmm.virtio.vsock;

import io.jvmm.spi.Snapshottable.StateException;
import io.jvmm.virtio.StateCodec;

/**
 * A virtio-vsock device's own snapshot record. Connections are not saved: their host ends are
 * sockets of the process that made the snapshot. After a restore the guest is sent
 * VIRTIO_VSOCK_EVENT_TRANSPORT_RESET (virtio 1.2, 5.10.6.6) and drops its own ends, as it
 * does after a migration. What the record checks is that the guest keeps its CID and that
 * the device serves the same socket path.
 *
 * @param cid    the guest's context id
 * @param socket the host Unix socket path, as configured
 */
record VsockState(long cid, String socket) {
    static final int VERSION = 1;

    byte[] encode() {
        return new StateCodec.Writer().putInt(VERSION).putLong(cid).putString(socket).toByteArray();
    }

    static VsockState decode(byte[] data) throws StateException {
        StateCodec.Reader r = StateCodec.open("virtio-vsock state", data, VERSION);
        VsockState s = new VsockState(r.getLong("cid"), r.getString("socket"));
        r.end();
        if (s.cid < VsockConfig.MIN_CID || s.cid > VsockConfig.MAX_CID) {
            throw new StateException("virtio-vsock state: guest CID " + s.cid + " out of range");
        }
        return s;
    }
}
