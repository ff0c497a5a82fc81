package io.jvmm.virtio.net;

import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceConfigException;

/**
 * A {@code virtio-net} device's settings, read from its {@code [[device]]} table.
 *
 * <pre>
 * [[device]]
 * type = "virtio-net"
 * tap = "tap0"                  # required: the host tap interface
 * mac = "52:54:00:12:34:56"     # default: a stable locally administered MAC from the id and tap
 * mtu = 1500                    # offered as VIRTIO_NET_F_MTU when given (68 to 65535)
 * mergeable_rx_buffers = true   # offer VIRTIO_NET_F_MRG_RXBUF
 * </pre>
 *
 * @param tap       tap interface name
 * @param mac       the guest's MAC
 * @param mtu       the MTU to advertise, or 0 for none (the guest assumes 1500)
 * @param mergeable offer VIRTIO_NET_F_MRG_RXBUF
 */
record NetConfig(String tap, MacAddress mac, int mtu, boolean mergeable) {
    static final int MIN_MTU = 68;
    static final int MAX_MTU = 65535;

    static NetConfig from(DeviceConfig config) {
        String tap = config.requireString("tap");
        String macText = config.string("mac").orElse(null);
        long mtu = config.integer("mtu").orElse(0L);
        boolean mergeable = config.bool("mergeable_rx_buffers").orElse(true);
        if (tap.isEmpty() || tap.length() > Tap.MAX_NAME || !tap.matches("[A-Za-z0-9_.:-]+")) {
            throw new DeviceConfigException("tap", "= \"" + tap + "\": expected an interface name of 1 to "
                    + Tap.MAX_NAME + " letters, digits or _ . : -");
        }
        MacAddress mac;
        try {
            mac = macText == null ? MacAddress.derive(config.id() + "/" + tap) : MacAddress.parse(macText);
        } catch (IllegalArgumentException e) {
            throw new DeviceConfigException("mac", "= \"" + macText + "\" " + e.getMessage());
        }
        if (config.integer("mtu").isPresent() && (mtu < MIN_MTU || mtu > MAX_MTU)) {
            throw new DeviceConfigException("mtu", "= " + mtu + ": expected " + MIN_MTU + " to " + MAX_MTU);
        }
        return new NetConfig(tap, mac, (int) mtu, mergeable);
    }

    /** The MTU the guest will use: the configured one, else Ethernet's 1500. */
    int effectiveMtu() {
        return mtu == 0 ? 1500 : mtu;
    }
}
