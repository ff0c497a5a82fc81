package io.jvmm.vfio.backend;

/**
 * One passed-through PCI function as the device model sees it: its regions (BARs, ROM, config
 * space), its interrupts, reset and DMA. Kernel VFIO implements it today; a vfio-user client
 * can implement it later without touching the config-space and interrupt logic above.
 *
 * <p>Region and interrupt indexes follow vfio-pci (include/uapi/linux/vfio.h: "VFIO_PCI_*_INDEX").
 * Methods may be called from any vCPU thread; implementations are thread-safe.
 */
public interface PassthroughBackend extends AutoCloseable {
    int BAR0_REGION = 0;
    int ROM_REGION = 6;
    int CONFIG_REGION = 7;
    int INTX_IRQ = 0;
    int MSI_IRQ = 1;
    int MSIX_IRQ = 2;

    /** A name for messages, e.g. the host address {@code 0000:00:04.0}. */
    String name();

    DeviceInfo deviceInfo();

    /** What region {@code index} is; a region the device lacks has size 0. */
    RegionInfo region(int index);

    /** What interrupt {@code index} is; an interrupt the device lacks has count 0. */
    IrqInfo irq(int index);

    /** Reads {@code data.length} bytes at {@code offset} of a region. */
    void read(int region, long offset, byte[] data);

    /** Writes {@code data} at {@code offset} of a region. */
    void write(int region, long offset, byte[] data);

    /** Signals the device's vectors {@code 0..eventFds.length-1} of interrupt {@code index} on these eventfds. */
    void enableIrq(int index, int[] eventFds);

    /** Turns interrupt {@code index} off. */
    void disableIrq(int index);

    /** Makes a signal on {@code eventFd} unmask interrupt {@code index} (INTx after the guest's EOI). */
    void unmaskOnEventFd(int index, int eventFd);

    /** Resets the function; false when it cannot be reset. */
    boolean reset();

    /** Lets the device DMA to {@code [iova, iova+size)}, backed by the VMM's memory at {@code hostAddress}. */
    void dmaMap(long iova, long size, long hostAddress);

    void dmaUnmap(long iova, long size);

    /** Releases the device (after which it can be opened again). */
    @Override
    void close();
}
