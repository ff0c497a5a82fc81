package io.jvmm.virtio.vsock;

import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceContext;
import io.jvmm.spi.DeviceException;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.spi.SpiVersion;
import io.jvmm.virtio.pci.VirtioPciDevice;

/** Device type {@code virtio-vsock}: host-guest streams over Unix sockets. See {@link VsockConfig}. */
public final class VsockFactory implements DeviceFactory {
    @Override
    public String type() {
        return "virtio-vsock";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public String description() {
        return "virtio socket device (vsock): guest ports reached through host Unix sockets";
    }

    @Override
    public Device create(DeviceConfig config, DeviceContext context) throws DeviceException {
        VsockConfig settings = VsockConfig.from(config);
        VirtioVsock vsock = new VirtioVsock(config.id(), settings.cid(), settings.socket());
        // The transport asks for the VM first, so `jvmm check` stops before binding the socket.
        VirtioPciDevice device = new VirtioPciDevice(config.id(), vsock, context);
        vsock.listen();
        return device;
    }
}
