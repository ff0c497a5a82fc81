package io.jvmm.spi;

/**
 * The version of this SPI, and the rule for which plugins a jvmm loads.
 *
 * <p><b>How a plugin records its version.</b> Every {@link DeviceFactory} implements
 * {@link DeviceFactory#spiVersion()} as {@code return SpiVersion.CURRENT;}. {@code CURRENT} is a
 * compile-time constant, so javac copies its value into the plugin's class file (JLS 13.1):
 * the number jvmm reads at run time is the SPI the plugin was compiled against, not the one
 * jvmm runs with. Factories compiled against SPI 1, when {@code spiVersion()} had a default
 * body, do not implement it; jvmm takes those as version 1.
 *
 * <p><b>Compatibility rule.</b> A jvmm implementing SPI {@code N} loads plugins compiled
 * against SPI 1 to {@code N}: a new SPI version only adds (types, default methods, constants)
 * and keeps what older plugins call working. A plugin compiled against a newer SPI than the
 * running jvmm's is refused with one line naming both versions; {@code jvmm --version} shows
 * which SPI a jvmm implements. Anything that would break a compiled plugin is not done.
 *
 * <p>History: 1, the first SPI; 2, {@code spiVersion()} must be implemented (see above),
 * {@link PciHeader} for a PCI function's config space, {@link PciDevice#moveBar(PciBar, long)}
 * names the BAR, {@link PciBarAllocator#allocateAt} places a BAR at a given address; 3,
 * {@link DeviceContext#reportEvent} puts what a device saw on the VM's event stream.
 */
public final class SpiVersion {
    /** The SPI this jar defines. */
    public static final int CURRENT = 3;

    /** The oldest SPI whose plugins this jar still runs. */
    public static final int OLDEST_SUPPORTED = 1;

    private SpiVersion() {
    }
}
