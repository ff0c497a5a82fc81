package io.jvmm.virtio.net;

/**
 * virtio-net feature bits (virtio 1.2, 5.1.3), what this device offers, the dependency rules
 * a driver must follow (5.1.3.1), and how acknowledged receive offloads map to the tap's
 * TUNSETOFFLOAD flags.
 */
final class NetFeatures {
    static final int CSUM = 0;
    static final int GUEST_CSUM = 1;
    static final int MTU = 3;
    static final int MAC = 5;
    static final int GUEST_TSO4 = 7;
    static final int GUEST_TSO6 = 8;
    static final int GUEST_ECN = 9;
    static final int GUEST_UFO = 10;
    static final int HOST_TSO4 = 11;
    static final int HOST_TSO6 = 12;
    static final int HOST_ECN = 13;
    static final int MRG_RXBUF = 15;
    static final int STATUS = 16;

    private NetFeatures() {
    }

    static long bit(int n) {
        return 1L << n;
    }

    static boolean has(long features, int bit) {
        return (features & bit(bit)) != 0;
    }

    /**
     * What the device offers. The tap accepts checksum and TSO work from us whatever its
     * offload setting (that only governs what it hands us), so the host-side offloads are
     * always offered; the guest-side ones become TUNSETOFFLOAD flags once acknowledged.
     */
    static long offered(boolean withMtu, boolean mergeable) {
        long f = bit(CSUM) | bit(GUEST_CSUM) | bit(MAC) | bit(STATUS)
                | bit(GUEST_TSO4) | bit(GUEST_TSO6) | bit(GUEST_ECN)
                | bit(HOST_TSO4) | bit(HOST_TSO6) | bit(HOST_ECN);
        if (withMtu) {
            f |= bit(MTU);
        }
        if (mergeable) {
            f |= bit(MRG_RXBUF);
        }
        return f;
    }

    /**
     * Checks the driver kept to 5.1.3.1 (e.g. no TSO without the matching checksum offload).
     *
     * @return null when fine, else what is wrong
     */
    static String violation(long acked) {
        if ((has(acked, GUEST_TSO4) || has(acked, GUEST_TSO6) || has(acked, GUEST_UFO)) && !has(acked, GUEST_CSUM)) {
            return "GUEST_TSO4/TSO6/UFO without GUEST_CSUM";
        }
        if (has(acked, GUEST_ECN) && !has(acked, GUEST_TSO4) && !has(acked, GUEST_TSO6)) {
            return "GUEST_ECN without GUEST_TSO4 or GUEST_TSO6";
        }
        if ((has(acked, HOST_TSO4) || has(acked, HOST_TSO6)) && !has(acked, CSUM)) {
            return "HOST_TSO4/TSO6 without CSUM";
        }
        if (has(acked, HOST_ECN) && !has(acked, HOST_TSO4) && !has(acked, HOST_TSO6)) {
            return "HOST_ECN without HOST_TSO4 or HOST_TSO6";
        }
        return null;
    }

    /**
     * The TUNSETOFFLOAD flags for what the guest acknowledged it can receive: partially
     * checksummed frames with GUEST_CSUM, TSO frames with GUEST_TSO4/6, ECN with GUEST_ECN.
     * The kernel ignores TSO flags without TUN_F_CSUM, as 5.1.3.1 forbids them too.
     */
    static int tunOffloads(long acked) {
        if (!has(acked, GUEST_CSUM)) {
            return 0;
        }
        int f = Tap.TUN_F_CSUM;
        if (has(acked, GUEST_TSO4)) {
            f |= Tap.TUN_F_TSO4;
        }
        if (has(acked, GUEST_TSO6)) {
            f |= Tap.TUN_F_TSO6;
        }
        if (has(acked, GUEST_ECN) && (f & (Tap.TUN_F_TSO4 | Tap.TUN_F_TSO6)) != 0) {
            f |= Tap.TUN_F_TSO_ECN;
        }
        if (has(acked, GUEST_UFO)) {
            f |= Tap.TUN_F_UFO;
        }
        return f;
    }

    /** The largest packet (header included) the tap may hand us under {@code acked}. */
    static int maxRxPacket(long acked, int mtu) {
        boolean gso = has(acked, GUEST_TSO4) || has(acked, GUEST_TSO6) || has(acked, GUEST_UFO);
        // 14 bytes of Ethernet header and 4 of VLAN tag around an IP packet of up to 64 KiB or the MTU.
        return NetHeader.SIZE + 14 + 4 + (gso ? 65535 : mtu);
    }
}
