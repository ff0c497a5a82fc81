package io.jvmm.spi;

/**
 * The version of this SPI. A provider states the version it was written for in
 * {@link DeviceFactory#spiVersion()}; the VMM refuses providers that need a newer SPI
 * than it implements, and logs why.
 */
public final class SpiVersion {
    /** Bumped whenever an interface in this package changes incompatibly. */
    public static final int CURRENT = 1;

    private SpiVersion() {
    }
}
