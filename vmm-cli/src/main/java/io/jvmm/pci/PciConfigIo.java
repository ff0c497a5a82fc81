package io.jvmm.pci;

import io.jvmm.spi.ComponentState;
import io.jvmm.spi.Snapshottable;
import io.jvmm.spi.BusRegion;
import io.jvmm.spi.PlatformDevice;
import io.jvmm.vm.X86Layout;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Configuration mechanism #1 (PCI Local Bus 3.0, 3.2.2.3.2): CONFIG_ADDRESS at 0xCF8 and
 * CONFIG_DATA at 0xCFC-0xCFF, for {@link PciRoot}.
 *
 * <p>Only dword accesses at 0xCF8 reach CONFIG_ADDRESS; the spec passes other accesses in
 * 0xCF8-0xCFB through as ordinary I/O. That is why the device claims 0xCF8 (one byte: the
 * bus routes by an access's first port) and 0xCFA-0xCFF but not 0xCF9, the chipset's reset
 * control register ({@code io.jvmm.devices.legacy.ResetControl}). CONFIG_DATA takes byte,
 * word and dword accesses at any offset that stays inside the dword; the byte offset picks
 * the bytes of the addressed register. With the enable bit (31) clear, data reads answer
 * all-ones and data writes are dropped.
 */
public final class PciConfigIo implements PlatformDevice, Snapshottable {
    private static final int ADDRESS = 0;
    private static final int DATA = X86Layout.PCI_CONFIG_DATA_PORT - X86Layout.PCI_CONFIG_ADDRESS_PORT;
    private static final int ENABLE = 0x8000_0000;
    /** Enable, bus, device, function, register; reserved bits 30:24 and 1:0 read 0. */
    private static final int ADDRESS_BITS = 0x80ff_fffc;

    private final PciRoot root;
    private int configAddress;

    @Override
    public String snapshotId() {
        return id();
    }

    /** The CONFIG_ADDRESS register (the config spaces belong to the PCI devices themselves). */
    @Override
    public synchronized ComponentState saveState() {
        return new ComponentState(id(), 1, java.nio.ByteBuffer.allocate(4).putInt(configAddress).array());
    }

    @Override
    public synchronized void restoreState(ComponentState state) throws StateException {
        byte[] p = state.payload();
        if (state.version() != 1 || p.length != 4) {
            throw new StateException(state.id() + ": unreadable state (version " + state.version() + ", "
                    + p.length + " bytes)");
        }
        int address = java.nio.ByteBuffer.wrap(p).getInt();
        if ((address & ~ADDRESS_BITS) != 0) {
            throw new StateException(state.id() + ": CONFIG_ADDRESS 0x" + Integer.toHexString(address));
        }
        configAddress = address;
    }

    public PciConfigIo(PciRoot root) {
        this.root = Objects.requireNonNull(root, "root");
    }

    @Override
    public String id() {
        return "pci-config-io";
    }

    /** 0xCF8 and 0xCFA-0xCFF; offsets from 0xCF8. */
    @Override
    public List<BusRegion> regions() {
        int base = X86Layout.PCI_CONFIG_ADDRESS_PORT;
        return List.of(new BusRegion(BusRegion.AddressSpace.PIO, base, 1),
                new BusRegion(BusRegion.AddressSpace.PIO, base + 2, 6));
    }

    @Override
    public synchronized void read(long offset, byte[] data) {
        if (offset == ADDRESS && data.length == 4) {
            putInt(data, configAddress);
            return;
        }
        Arrays.fill(data, (byte) 0xff);
        int byteOffset = dataByteOffset(offset, data.length);
        if (byteOffset < 0 || (configAddress & ENABLE) == 0) {
            return;
        }
        int value = root.readConfig(bus(), device(), function(), register());
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (value >>> (8 * (byteOffset + i)));
        }
    }

    @Override
    public synchronized void write(long offset, byte[] data) {
        if (offset == ADDRESS && data.length == 4) {
            configAddress = getInt(data) & ADDRESS_BITS;
            return;
        }
        int byteOffset = dataByteOffset(offset, data.length);
        if (byteOffset < 0 || (configAddress & ENABLE) == 0) {
            return;
        }
        root.writeConfig(bus(), device(), function(), register(), byteOffset, data);
    }

    /** The byte offset inside CONFIG_DATA, or -1 when the access is not a 1, 2 or 4 byte access within it. */
    private static int dataByteOffset(long offset, int length) {
        if (offset < DATA || offset > DATA + 3 || !(length == 1 || length == 2 || length == 4)) {
            return -1;
        }
        int byteOffset = (int) offset - DATA;
        return byteOffset + length <= 4 ? byteOffset : -1;
    }

    private int bus() {
        return (configAddress >>> 16) & 0xff;
    }

    private int device() {
        return (configAddress >>> 11) & 0x1f;
    }

    private int function() {
        return (configAddress >>> 8) & 0x7;
    }

    private int register() {
        return (configAddress >>> 2) & 0x3f;
    }

    static int getInt(byte[] data) {
        return (data[0] & 0xff) | (data[1] & 0xff) << 8 | (data[2] & 0xff) << 16 | (data[3] & 0xff) << 24;
    }

    static void putInt(byte[] data, int value) {
        for (int i = 0; i < 4; i++) {
            data[i] = (byte) (value >>> (8 * i));
        }
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "PciConfigIo[0xcf8,0xcfa-0xcff]";
    }
}
