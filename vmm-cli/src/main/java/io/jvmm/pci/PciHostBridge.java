package io.jvmm.pci;

import io.jvmm.spi.PciBar;
import io.jvmm.spi.PciBarAllocator;
import io.jvmm.spi.PciDevice;

import java.util.Arrays;
import java.util.List;

/**
 * The host bridge at 00:00.0: a type 0 function of class 06/00/00 (host bridge) with no
 * BARs and no capabilities (PCI Local Bus 3.0, 6.2.1 and Appendix D). Its ids are Intel's
 * 8086:0D57, as Cloud Hypervisor's bridge; Linux's {@code pci_sanity_check} for the type 1
 * mechanism is satisfied by finding a host bridge class on bus 0.
 *
 * <p>Only the command register's I/O, memory and bus master bits, the cache line size and
 * the interrupt line are writable; the interrupt line is a scratch byte for software
 * (PCI Local Bus 3.0, 6.2.4).
 */
public final class PciHostBridge implements PciDevice {
    public static final int VENDOR_INTEL = 0x8086;
    public static final int DEVICE_ID = 0x0d57;
    private static final int CLASS_BRIDGE = 0x06;
    private static final int SUBCLASS_HOST = 0x00;
    private static final int COMMAND_IO_MEMORY_MASTER = 0x0007;

    private final PciConfigSpace config = new PciConfigSpace();

    public PciHostBridge() {
        config.set(PciConfigSpace.VENDOR_ID, 2, VENDOR_INTEL);
        config.set(PciConfigSpace.DEVICE_ID, 2, DEVICE_ID);
        config.set(PciConfigSpace.CLASS_CODE, 1, CLASS_BRIDGE);
        config.set(PciConfigSpace.SUBCLASS, 1, SUBCLASS_HOST);
        config.set(PciConfigSpace.HEADER_TYPE, 1, 0x00); // type 0, single function
        config.setWritable(PciConfigSpace.COMMAND, 2, COMMAND_IO_MEMORY_MASTER);
        config.setWritable(PciConfigSpace.CACHE_LINE_SIZE, 1, 0xff);
        config.setWritable(PciConfigSpace.INTERRUPT_LINE, 1, 0xff);
    }

    @Override
    public String id() {
        return "pci-host-bridge";
    }

    @Override
    public int readConfigRegister(int reg) {
        return config.readRegister(reg);
    }

    @Override
    public BarReprogram writeConfigRegister(int reg, int offset, byte[] data) {
        config.write(reg, offset, data);
        return null;
    }

    @Override
    public List<PciBar> allocateBars(PciBarAllocator allocator) {
        return List.of();
    }

    @Override
    public void moveBar(PciBar bar, long newBase) {
    }

    @Override
    public void readBar(PciBar bar, long offset, byte[] data) {
        Arrays.fill(data, (byte) 0xff);
    }

    @Override
    public void writeBar(PciBar bar, long offset, byte[] data) {
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "PciHostBridge[00:00.0]";
    }
}
