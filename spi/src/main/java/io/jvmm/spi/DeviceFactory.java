package io.jvmm.spi;

/**
 * The plugin entry point, found with {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/io.jvmm.spi.DeviceFactory}. One factory per device type.
 *
 * <p>A factory must be cheap to instantiate (the VMM instantiates every factory to list
 * them) and must not touch the host until {@link #create} is called.
 */
public interface DeviceFactory {
    /** The config's {@code type} value this factory handles, e.g. {@code virtio-blk}. */
    String type();

    /** One line for {@code jvmm plugins}. */
    String description();

    /**
     * The SPI version this factory was compiled against. Implement it as
     * {@code return SpiVersion.CURRENT;}: javac copies the constant into your class, so jvmm
     * reads the version you built with and refuses a plugin newer than itself
     * (see {@link SpiVersion} for the rule).
     */
    int spiVersion();

    /**
     * Validates {@code config} and builds the device. Bad config values throw
     * {@link DeviceConfigException}; a host resource that cannot be had (file, tap, VFIO
     * group) throws {@link DeviceException} with a message saying what to do.
     *
     * <p>Read every key of {@code config} before asking {@code context} for anything of the
     * VM's (interrupts, ioeventfds, memory): {@code jvmm check} calls this without a VM, stops
     * at the first such request, and reports the keys not read by then as unknown.
     */
    Device create(DeviceConfig config, DeviceContext context) throws DeviceException;
}
