package io.jvmm.virtio.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.spi.DeviceConfigException;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.config.TomlDeviceConfig;
import io.jvmm.testkit.DeviceConfigs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class NetConfigTest {
    private static TomlDeviceConfig config(Map<String, Object> values) {
        return DeviceConfigs.of("virtio-net", "net0", Path.of("/"), values);
    }

    @Test
    void readsEveryKeyItKnows() {
        TomlDeviceConfig c = config(Map.of("tap", "tap0"));
        NetConfig n = NetConfig.from(c);
        assertThat(c.knownKeys()).containsExactlyInAnyOrder("tap", "mac", "mtu", "mergeable_rx_buffers");
        assertThat(n.mtu()).isZero();
        assertThat(n.effectiveMtu()).isEqualTo(1500);
        assertThat(n.mergeable()).isTrue();
    }

    @Test
    void theDefaultMacIsStableLocallyAdministeredAndUnicast() {
        MacAddress a = NetConfig.from(config(Map.of("tap", "tap0"))).mac();
        MacAddress b = NetConfig.from(config(Map.of("tap", "tap0"))).mac();
        MacAddress other = NetConfig.from(config(Map.of("tap", "tap1"))).mac();
        assertThat(a).isEqualTo(b).isNotEqualTo(other);
        assertThat(a.bytes()[0] & 0x02).as("locally administered").isEqualTo(2);
        assertThat(a.multicast()).isFalse();
    }

    @Test
    void aConfiguredMacIsParsed() {
        assertThat(NetConfig.from(config(Map.of("tap", "tap0", "mac", "52:54:00:AB:cd:01"))).mac())
                .hasToString("52:54:00:ab:cd:01");
        assertThat(MacAddress.parse("52-54-00-ab-cd-01")).hasToString("52:54:00:ab:cd:01");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> NetConfig.from(config(Map.of())))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("'tap'");
        assertThatThrownBy(() -> NetConfig.from(config(Map.of("tap", "a-name-that-is-too-long"))))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("'tap'");
        assertThatThrownBy(() -> NetConfig.from(config(Map.of("tap", "tap0", "mac", "01:00:5e:00:00:01"))))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("'mac'").hasMessageContaining("multicast");
        assertThatThrownBy(() -> NetConfig.from(config(Map.of("tap", "tap0", "mac", "52:54:00:12:34"))))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("'mac'");
        assertThatThrownBy(() -> NetConfig.from(config(Map.of("tap", "tap0", "mac", "52:54:00:12:34:zz"))))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("zz");
        assertThatThrownBy(() -> NetConfig.from(config(Map.of("tap", "tap0", "mtu", 67L))))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("'mtu'");
        assertThatThrownBy(() -> NetConfig.from(config(Map.of("tap", "tap0", "mtu", 65536L))))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("'mtu'");
    }

    @Test
    void configSpaceHasMacLinkUpOnePairAndMtu() {
        NetConfigSpace s = new NetConfigSpace(MacAddress.parse("52:54:00:12:34:56"), 9000);
        byte[] b = new byte[NetConfigSpace.SIZE];
        for (int i = 0; i < b.length; i += 2) {
            byte[] w = new byte[2];
            s.read(i, w);
            System.arraycopy(w, 0, b, i, 2);
        }
        ByteBuffer c = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(java.util.Arrays.copyOf(b, 6)).isEqualTo(MacAddress.parse("52:54:00:12:34:56").bytes());
        assertThat(c.getShort(6)).isEqualTo((short) NetConfigSpace.S_LINK_UP);
        assertThat(c.getShort(8)).isEqualTo((short) 1);
        assertThat(c.getShort(10) & 0xffff).isEqualTo(9000);
    }

    @Test
    void tapErrorsSayWhatToDo() {
        assertThat(Tap.explainSetIff("tap0", true, LibC.EPERM)).contains("CAP_NET_ADMIN").contains("ip tuntap add");
        assertThat(Tap.explainSetIff("tap0", true, LibC.EBUSY)).contains("busy").contains("another process");
        assertThat(Tap.explainSetIff("eth0", true, LibC.EINVAL)).contains("not a tap");
    }

    @Test
    void isRegisteredAsAServiceProvider() {
        assertThat(ServiceLoader.load(DeviceFactory.class).stream().map(ServiceLoader.Provider::type))
                .contains(NetFactory.class);
    }
}
