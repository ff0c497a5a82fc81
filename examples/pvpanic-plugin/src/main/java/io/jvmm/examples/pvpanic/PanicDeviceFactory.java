package io.jvmm.examples.pvpanic;

import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceConfigException;
import io.jvmm.spi.DeviceContext;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.spi.SpiVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device type {@code pvpanic}: listed in META-INF/services/io.jvmm.spi.DeviceFactory.
 * In a VM config:
 * <pre>
 * [[device]]
 * type = "pvpanic"
 * on-panic = "log"      # or "ignore"
 * </pre>
 */
public final class PanicDeviceFactory implements DeviceFactory {
    private static final Logger LOG = LoggerFactory.getLogger(PanicDeviceFactory.class);

    @Override
    public String type() {
        return "pvpanic";
    }

    @Override
    public String description() {
        return "pvpanic-pci: the guest reports a kernel panic to the host";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.CURRENT; // javac copies the number: the SPI you compiled against
    }

    @Override
    public Device create(DeviceConfig config, DeviceContext context) {
        // Read every key first: 'jvmm check' reports keys not read as unknown.
        String onPanic = config.string("on-panic").orElse("log");
        Runnable action = switch (onPanic) {
            case "log" -> () -> {
                LOG.error("{}: the guest reported a kernel panic", config.id());
                // On the VM's event stream too (GET /api/v1/vm/events), for whoever watches it.
                context.reportEvent("guest-panicked", "the guest reported a kernel panic");
            };
            case "ignore" -> () -> { };
            default -> throw new DeviceConfigException("on-panic", "must be \"log\" or \"ignore\", not \"" + onPanic + "\"");
        };
        return new PanicDevice(config.id(), action);
    }
}
