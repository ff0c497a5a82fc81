package io.jvmm.spi;

/**
 * A device created by a {@link DeviceFactory}. The VMM attaches it according to the
 * further interfaces it implements: {@link PciDevice} goes on the PCI root bus,
 * {@link PlatformDevice} on the port-I/O or MMIO buses. {@link Pausable} and
 * {@link Snapshottable} take part in the VM lifecycle.
 *
 * <p>{@link #close()} releases host resources (files, fds, threads); the VMM calls it
 * once when the VM ends, also after a failed start.
 */
public interface Device extends AutoCloseable {
    /** The device id: unique within a VM, stable across snapshots. */
    String id();

    @Override
    void close();
}
