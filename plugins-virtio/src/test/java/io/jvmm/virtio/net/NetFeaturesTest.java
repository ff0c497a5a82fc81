package io.jvmm.virtio.net;

import static io.jvmm.virtio.net.NetFeatures.bit;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NetFeaturesTest {
    @Test
    void tapOffloadsFollowWhatTheGuestCanReceive() {
        assertThat(NetFeatures.tunOffloads(0)).isZero();
        assertThat(NetFeatures.tunOffloads(bit(NetFeatures.CSUM) | bit(NetFeatures.HOST_TSO4))).isZero();
        assertThat(NetFeatures.tunOffloads(bit(NetFeatures.GUEST_CSUM))).isEqualTo(Tap.TUN_F_CSUM);
        assertThat(NetFeatures.tunOffloads(bit(NetFeatures.GUEST_CSUM) | bit(NetFeatures.GUEST_TSO4)
                | bit(NetFeatures.GUEST_TSO6) | bit(NetFeatures.GUEST_ECN)))
                .isEqualTo(Tap.TUN_F_CSUM | Tap.TUN_F_TSO4 | Tap.TUN_F_TSO6 | Tap.TUN_F_TSO_ECN);
        assertThat(NetFeatures.tunOffloads(bit(NetFeatures.GUEST_CSUM) | bit(NetFeatures.GUEST_TSO6)))
                .isEqualTo(Tap.TUN_F_CSUM | Tap.TUN_F_TSO6);
        // TSO without the checksum offload is not a state the tap (or 5.1.3.1) allows.
        assertThat(NetFeatures.tunOffloads(bit(NetFeatures.GUEST_TSO4))).isZero();
    }

    @Test
    void offersChecksumTsoEcnMacAndStatusAndMtuOnlyWhenConfigured() {
        long f = NetFeatures.offered(false, true);
        for (int b : new int[] {NetFeatures.CSUM, NetFeatures.GUEST_CSUM, NetFeatures.HOST_TSO4, NetFeatures.HOST_TSO6,
                NetFeatures.GUEST_TSO4, NetFeatures.GUEST_TSO6, NetFeatures.HOST_ECN, NetFeatures.GUEST_ECN,
                NetFeatures.MAC, NetFeatures.STATUS, NetFeatures.MRG_RXBUF}) {
            assertThat(NetFeatures.has(f, b)).as("bit %d", b).isTrue();
        }
        assertThat(NetFeatures.has(f, NetFeatures.MTU)).isFalse();
        assertThat(NetFeatures.has(NetFeatures.offered(true, false), NetFeatures.MTU)).isTrue();
        assertThat(NetFeatures.has(NetFeatures.offered(true, false), NetFeatures.MRG_RXBUF)).isFalse();
        assertThat(NetFeatures.violation(f)).isNull();
    }

    @Test
    void refusesOffloadCombinationsTheSpecForbids() {
        assertThat(NetFeatures.violation(bit(NetFeatures.GUEST_TSO4))).contains("GUEST_CSUM");
        assertThat(NetFeatures.violation(bit(NetFeatures.GUEST_CSUM) | bit(NetFeatures.GUEST_ECN))).contains("GUEST_ECN");
        assertThat(NetFeatures.violation(bit(NetFeatures.HOST_TSO6))).contains("CSUM");
        assertThat(NetFeatures.violation(bit(NetFeatures.CSUM) | bit(NetFeatures.HOST_ECN))).contains("HOST_ECN");
        assertThat(NetFeatures.violation(bit(NetFeatures.CSUM) | bit(NetFeatures.HOST_TSO4) | bit(NetFeatures.HOST_ECN)))
                .isNull();
    }

    @Test
    void largestReceivedFrameDependsOnGuestTso() {
        assertThat(NetFeatures.maxRxPacket(0, 1500)).isEqualTo(12 + 18 + 1500);
        assertThat(NetFeatures.maxRxPacket(bit(NetFeatures.GUEST_CSUM) | bit(NetFeatures.GUEST_TSO4), 1500))
                .isEqualTo(12 + 18 + 65535);
    }

    @Test
    void headerRoundTripsLittleEndian() {
        NetHeader h = new NetHeader(NetHeader.F_NEEDS_CSUM, NetHeader.GSO_TCPV4 | NetHeader.GSO_ECN, 54, 1448, 34, 16, 3);
        byte[] b = h.toBytes();
        assertThat(b).hasSize(12);
        assertThat(b[2]).isEqualTo((byte) 54);
        assertThat(b[4] & 0xff | (b[5] & 0xff) << 8).isEqualTo(1448);
        assertThat(NetHeader.parse(b)).isEqualTo(h);
    }
}
