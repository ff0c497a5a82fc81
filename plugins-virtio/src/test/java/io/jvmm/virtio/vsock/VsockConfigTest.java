package io.jvmm.virtio.vsock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.spi.DeviceConfigException;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.config.TomlDeviceConfig;
import io.jvmm.testkit.DeviceConfigs;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VsockConfigTest {
    @TempDir
    Path dir;

    private TomlDeviceConfig config(Map<String, Object> values) {
        return DeviceConfigs.of("virtio-vsock", "vsock0", dir, values);
    }

    @Test
    void readsCidAndSocket() {
        TomlDeviceConfig c = config(Map.of("cid", 3L, "socket", "vm.vsock"));
        VsockConfig v = VsockConfig.from(c);
        assertThat(c.knownKeys()).containsExactlyInAnyOrder("cid", "socket");
        assertThat(v.cid()).isEqualTo(3);
        assertThat(v.socket()).isEqualTo(dir.resolve("vm.vsock"));
    }

    @Test
    void cidMustBeAGuestCid() {
        for (long cid : new long[] {0, 1, 2, 0xFFFF_FFFFL, -1}) {
            assertThatThrownBy(() -> VsockConfig.from(config(Map.of("cid", cid, "socket", "s"))))
                    .isInstanceOf(DeviceConfigException.class).hasMessageContaining("'cid'");
        }
        assertThat(VsockConfig.from(config(Map.of("cid", 0xFFFF_FFFEL, "socket", "s"))).cid()).isEqualTo(0xFFFF_FFFEL);
        assertThatThrownBy(() -> VsockConfig.from(config(Map.of("socket", "s"))))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("'cid'").hasMessageContaining("required");
    }

    @Test
    void socketMustBeAbsentOrASocketInADirectoryThatExists() throws Exception {
        assertThatThrownBy(() -> VsockConfig.from(config(Map.of("cid", 3L))))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("'socket'");
        Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> VsockConfig.from(config(Map.of("cid", 3L, "socket", "file"))))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("not a socket");
        Files.createDirectory(dir.resolve("d"));
        assertThatThrownBy(() -> VsockConfig.from(config(Map.of("cid", 3L, "socket", "d"))))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("not a socket");
        assertThatThrownBy(() -> VsockConfig.from(config(Map.of("cid", 3L, "socket", "nowhere/vm.vsock"))))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> VsockConfig.from(config(Map.of("cid", 3L, "socket", "x".repeat(120)))))
                .isInstanceOf(DeviceConfigException.class).hasMessageContaining("longer than");
    }

    @Test
    void aStaleSocketFromAnEarlierRunIsReplaced() throws Exception {
        Path socket = dir.resolve("vm.vsock");
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).exists(); // closing a Unix listener leaves its file
        VsockConfig v = VsockConfig.from(config(Map.of("cid", 3L, "socket", "vm.vsock")));
        VirtioVsock device = new VirtioVsock("vsock0", v.cid(), v.socket());
        device.listen();
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            assertThat(c.isConnected()).isTrue();
        } finally {
            device.close();
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void factoryIsRegistered() {
        assertThat(ServiceLoader.load(DeviceFactory.class).stream().map(p -> p.get().type()))
                .contains("virtio-vsock");
    }
}
